/**
 * Median wall time of one verification of two 640x480 one-face JPEGs, from encoded bytes to the
 * answer, for facekit (default configuration) and for @vladmandic/human and @vladmandic/face-api
 * (TF.js WASM) doing the same work: decode both, detect, describe, compare. The photos are cut
 * from the face-api demo pictures, so the bench needs no evaluation data.
 *
 *   npx tsx bench/verify-speed.ts [runs=20]
 *   BENCH_BASELINE_SRC=/path/to/older/checkout/src npx tsx bench/verify-speed.ts
 *
 * The same verify is also timed through the face service (createService, as `facekit serve` runs
 * it): its inference workers, one per core, decode and embed the two photos at once.
 * It also times facekit's stages for one photo (decode, detection with landmarks, alignment,
 * embedding), interleaved round by round, to show what is model time. With BENCH_BASELINE_SRC,
 * that checkout's verify (its own modules, sessions and models) runs in the same process,
 * alternating with this one call by call, so a change is measured against its baseline under
 * the same load (the machine is shared: every figure carries the load average of its run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { detectFaces } from '../src/detect/index.ts';
import { embedCrops } from '../src/embed/index.ts';
import { loadImage } from '../src/image/index.ts';
import { getModelRecord } from '../src/models/index.ts';
import { packageFile } from '../src/models/package-files.ts';
import { cropForModel } from '../src/pipeline/index.ts';
import { verify } from '../src/verify/index.ts';
import { createService } from '../src/service/index.ts';
import { defaultWorkerCount } from '../src/server/limits.ts';
import { faceapiBaseline } from './baselines/faceapi.ts';
import { humanBaseline } from './baselines/human.ts';
import type { Baseline } from './baselines/types.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 20);
const photo = (file: string, left: number, top: number) =>
  sharp(packageFile('@vladmandic/face-api', `demo/${file}`)).extract({ left, top, width: 640, height: 480 }).jpeg({ quality: 90 }).toBuffer();
const a = await photo('sample1.jpg', 180, 230);
const b = await photo('sample1.jpg', 620, 300);

async function time(fn: () => Promise<unknown>): Promise<{ median: number; p90: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up: sessions, kernels, caches
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  const s = [...t].sort((x, y) => x - y);
  return { median: median(t), p90: s[Math.floor(0.9 * (s.length - 1))] };
}

function baselineVerify(bl: Baseline) {
  return async () => {
    const [fa] = await bl.describe(await loadImage(a));
    const [fb] = await bl.describe(await loadImage(b));
    if (!fa || !fb) throw new Error(`${bl.name} found no face`);
    let d = 0;
    for (let i = 0; i < fa.descriptor.length; i++) d += (fa.descriptor[i] - fb.descriptor[i]) ** 2;
    return d;
  };
}

const rows: { name: string; medianMs: number; p90Ms: number }[] = [];
const add = (name: string, r: { median: number; p90: number }) => {
  rows.push({ name, medianMs: r.median, p90Ms: r.p90 });
  console.log(`${name.padEnd(24)} median ${r.median.toFixed(1)} ms   p90 ${r.p90.toFixed(1)} ms`);
};
const load0 = loadavg();
const baselineSrc = process.env.BENCH_BASELINE_SRC;
if (baselineSrc) {
  const old = (await import(join(baselineSrc, 'verify/index.ts'))) as { verify: typeof verify };
  // interleaved: each round runs the new path then the old, so both see the same load
  const fresh: number[] = [];
  const before: number[] = [];
  for (let i = 0; i < 3; i++) { await verify(a, b); await old.verify(a, b); }
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await verify(a, b);
    fresh.push(performance.now() - t0);
    t0 = performance.now();
    await old.verify(a, b);
    before.push(performance.now() - t0);
  }
  const q90 = (t: number[]) => [...t].sort((x, y) => x - y)[Math.floor(0.9 * (t.length - 1))];
  add('facekit', { median: median(fresh), p90: q90(fresh) });
  add(`facekit at ${baselineSrc}`, { median: median(before), p90: q90(before) });
  console.log(`this checkout / baseline checkout, median: ${(median(fresh) / median(before)).toFixed(2)}`);
} else {
  add('facekit', await time(() => verify(a, b)));
}

// the same verify through the face service (what `facekit serve` and createService run): its
// inference workers, one per core, take the two photos at once; the service is in this process,
// so the figure has no HTTP in it, only the hand-off of the encoded photos and the answers
const service = await createService({ db: ':memory:' });
const workers = defaultWorkerCount();
// each worker loads its models and warms its JIT on its own first jobs
for (let i = 0; i < 10; i++) await service.verify(a, b);
const serviceTime = await time(() => service.verify(a, b));
add(`facekit service (${workers} workers)`, serviceTime);
await service.close?.();

// where one photo's time goes, stage by stage, interleaved
const embedRecord = getModelRecord('fr_feature');
const stageTimes: Record<string, number[]> = { decode: [], 'detect + landmarks': [], align: [], embed: [] };
for (let i = 0; i < runs + 3; i++) {
  const t0 = performance.now();
  const image = await loadImage(a);
  const t1 = performance.now();
  const faces = await detectFaces(image);
  const t2 = performance.now();
  const crops = faces.map((f) => cropForModel(image, f, embedRecord));
  const t3 = performance.now();
  await embedCrops(crops);
  const t4 = performance.now();
  if (i < 3) continue; // warm-up
  stageTimes.decode.push(t1 - t0);
  stageTimes['detect + landmarks'].push(t2 - t1);
  stageTimes.align.push(t3 - t2);
  stageTimes.embed.push(t4 - t3);
}
const stages = Object.fromEntries(Object.entries(stageTimes).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
console.log(`one photo, median ms per stage: ${Object.entries(stages).map(([k, v]) => `${k} ${v}`).join(', ')}`);

const rowsFacekit = rows.length;
for (const bl of [humanBaseline(), faceapiBaseline()]) {
  await bl.init();
  add(bl.name, await time(baselineVerify(bl)));
}
const fastestBaseline = Math.min(...rows.slice(rowsFacekit).map((r) => r.medianMs));
const speedup = fastestBaseline / rows[0].medianMs;
const serviceSpeedup = fastestBaseline / serviceTime.median;
const load = [load0, loadavg()].map((l) => l.map((v) => Math.round(v * 100) / 100));
console.log(`facekit is ${speedup.toFixed(1)}x faster than the faster baseline (target 10x), ${serviceSpeedup.toFixed(1)}x through the service; load average at start ${load[0].join(' ')}, at end ${load[1].join(' ')}`);
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results/verify-speed.json'), `${JSON.stringify({ generatedBy: 'bench/verify-speed.ts', runs, image: '640x480 JPEG, one face each', rows, stagesMs: stages, speedupOverFastestBaseline: speedup, serviceSpeedupOverFastestBaseline: serviceSpeedup, loadavg: { start: load[0], end: load[1] } }, null, 1)}\n`);
