/**
 * Median wall time of one verification of two 640x480 one-face JPEGs, from encoded bytes to the
 * answer, for facekit (default configuration) and for @vladmandic/human and @vladmandic/face-api
 * (TF.js WASM) doing the same work: decode both, detect, describe, compare. The photos are cut
 * from the face-api demo pictures, so the bench needs no evaluation data.
 *
 *   npx tsx bench/verify-speed.ts [runs=20]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImage } from '../src/image/index.ts';
import { packageFile } from '../src/models/package-files.ts';
import { verify } from '../src/verify/index.ts';
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
add('facekit', await time(() => verify(a, b)));
for (const bl of [humanBaseline(), faceapiBaseline()]) {
  await bl.init();
  add(bl.name, await time(baselineVerify(bl)));
}
const fastestBaseline = Math.min(...rows.slice(1).map((r) => r.medianMs));
const speedup = fastestBaseline / rows[0].medianMs;
console.log(`facekit is ${speedup.toFixed(1)}x faster than the faster baseline (target 5x)`);
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results/verify-speed.json'), `${JSON.stringify({ generatedBy: 'bench/verify-speed.ts', runs, image: '640x480 JPEG, one face each', rows, speedupOverFastestBaseline: speedup }, null, 1)}\n`);
