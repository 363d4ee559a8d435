/**
 * Dumps, per image of each evaluation set, what the detectors and landmark models say (boxes, 68
 * points from fr_landmark and faceapi-landmark68, BlazeFace's 6 keypoints), so alignment variants
 * can be compared without re-running detection. Output: <cacheDir>/bench/align-study-<set>.json
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDetector } from '../src/detect/index.ts';
import { predictFaceApiLandmarks68 } from '../src/detect/landmarks-faceapi.ts';
import { predictLandmarks68 } from '../src/detect/landmarks68.ts';
import { listDataset } from '../src/eval/index.ts';
import { loadImage, limitSide } from '../src/image/index.ts';
import type { RgbImage } from '../src/image/types.ts';
import { cacheDir } from '../src/models/index.ts';

const DATA = process.env.FACEKIT_DATA ?? join(import.meta.dirname, '../../shared/data');
const sets = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'celebrity-aligned,orl,yale,sitcom-cast/gallery').split(',');
const detectors = ['fr_detect', 'blazeface-back'];
// --canvas: each image is first placed on a grey canvas twice its size (a face with context, as in
// photos); points are reported in the original image's coordinates
const canvas = process.argv.includes('--canvas');

function pad(image: RgbImage, border: number, fill = 0): RgbImage {
  const W = image.width + 2 * border, H = image.height + 2 * border;
  const data = new Uint8Array(W * H * 3).fill(fill);
  for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + border) * W + border) * 3);
  return { data, width: W, height: H };
}

for (const set of sets) {
  const ds = listDataset(join(DATA, set));
  const out: Record<string, unknown> = {};
  for (const id of ds.identities) {
    for (const rel of id.images) {
      const original = await loadImage(join(ds.root, rel));
      const border = canvas ? Math.round(Math.max(original.width, original.height) / 2) : 0;
      const image = canvas ? pad(original, border, 128) : original;
      const rec: Record<string, unknown> = { w: original.width, h: original.height };
      for (const dn of detectors) {
        const det = getDetector(dn);
        let img = image, shift = 0;
        const run = async (im: RgbImage) => {
          const small = await limitSide(im, det.defaults.maxSide);
          const raw = await det.run(small.image, { scoreThreshold: det.defaults.scoreThreshold, iouThreshold: det.defaults.iouThreshold });
          const k = 1 / small.scale;
          return raw.map((r) => ({ score: r.score, box: { x: r.box.x * k, y: r.box.y * k, w: r.box.w * k, h: r.box.h * k }, kp: r.keypoints?.map(([x, y]) => [x * k, y * k]) }));
        };
        let found = await run(image);
        if (found.length === 0 && Math.max(image.width, image.height) <= 400) {
          shift = Math.round(Math.max(image.width, image.height) * 0.4);
          img = pad(image, shift);
          found = await run(img);
        }
        if (found.length === 0) { rec[dn] = null; continue; }
        const f = found.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
        const fr = await predictLandmarks68(img, f.box);
        const fa = await predictFaceApiLandmarks68(img, f.box, 'faceapi-landmark68');
        const mv = (p: number[]) => [p[0] - shift - border, p[1] - shift - border];
        rec[dn] = { box: { ...f.box, x: f.box.x - shift - border, y: f.box.y - shift - border }, score: f.score, padded: shift > 0, kp: f.kp?.map(mv), fr: fr.map(mv), fa: fa.map(mv) };
      }
      out[rel] = rec;
    }
    console.error(set, id.name);
  }
  mkdirSync(join(cacheDir(), 'bench'), { recursive: true });
  const file = join(cacheDir(), 'bench', `align-study-${set.replace(/\W+/g, '_')}${canvas ? '-canvas' : ''}.json`);
  writeFileSync(file, JSON.stringify(out));
  console.log(`wrote ${file} (${Object.keys(out).length} images)`);
}
if (!existsSync(DATA)) console.log('no data');
