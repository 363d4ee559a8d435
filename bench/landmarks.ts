/**
 * Landmark accuracy on /work/shared/data/celebrity-aligned: those crops were warped so the five
 * points sit on the ArcFace 112x112 template, so the template IS the ground truth. Each crop is
 * placed on a grey 224x224 canvas (the detector needs context), detected, and the five landmarks
 * compared with the template: NME = mean point error / inter-ocular distance of the template.
 * Usage: npx tsx bench/landmarks.ts [perPerson=10] [landmarkModel=fr_landmark] [detector]
 * Writes bench/results/landmarks-<landmarkModel>[-<detector>].json.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCFACE_112 } from '../src/align/index.ts';
import { detectFaces } from '../src/detect/index.ts';
import { loadImage } from '../src/image/index.ts';

const dir = '/work/shared/data/celebrity-aligned';
if (!existsSync(dir)) {
  console.log(`skipped: ${dir} is absent`);
  process.exit(0);
}
const perPerson = Number(process.argv[2] ?? 10);
const landmarkModel = process.argv[3] ?? 'fr_landmark';
const detector = process.argv[4];
const PAD = 56;
const S = 112 + 2 * PAD;
const T = ARCFACE_112.points;
const iod = Math.hypot(T[1][0] - T[0][0], T[1][1] - T[0][1]);
const names = ['left eye', 'right eye', 'nose', 'left mouth', 'right mouth'];
const perPoint = [0, 0, 0, 0, 0];
let n = 0, missed = 0, nmeSum = 0;
const t0 = performance.now();
for (const person of readdirSync(dir).sort()) {
  for (const f of readdirSync(join(dir, person)).sort().slice(0, perPerson)) {
    const crop = await loadImage(join(dir, person, f));
    const canvas = new Uint8Array(S * S * 3).fill(128);
    for (let y = 0; y < 112; y++) canvas.set(crop.data.subarray(y * 112 * 3, (y + 1) * 112 * 3), ((y + PAD) * S + PAD) * 3);
    const faces = await detectFaces({ data: canvas, width: S, height: S }, { maxFaces: 1, landmarkModel, detector });
    if (faces.length === 0) { missed++; continue; }
    let e = 0;
    faces[0].landmarks5.forEach(([x, y], i) => {
      const d = Math.hypot(x - PAD - T[i][0], y - PAD - T[i][1]) / iod;
      perPoint[i] += d;
      e += d / 5;
    });
    nmeSum += e;
    n++;
  }
}
const result = {
  images: n + missed,
  noFace: missed,
  nme: +(nmeSum / n).toFixed(4),
  perPoint: Object.fromEntries(names.map((k, i) => [k, +(perPoint[i] / n).toFixed(4)])),
  msPerImage: +((performance.now() - t0) / (n + missed)).toFixed(1),
};
console.log(`${landmarkModel} on ${detector ?? 'default detector'} boxes: five-point NME (fraction of inter-ocular distance) over ${n} faces: ${result.nme}; no face in ${missed}`);
console.log(result.perPoint);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', `landmarks-${landmarkModel}${detector ? `-${detector}` : ''}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ data: dir, landmarkModel, detector, date: new Date().toISOString(), ...result }, null, 2) + '\n');
