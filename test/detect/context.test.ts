import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFaces, TIGHT_CROP_SHARE } from '../../src/detect/index.ts';
import type { Point } from '../../src/face.ts';
import { cropBox, loadImage, resizeImage } from '../../src/image/index.ts';

const meanDistance = (a: readonly Point[], b: readonly Point[]) => a.reduce((s, p, i) => s + Math.hypot(p[0] - b[i][0], p[1] - b[i][1]), 0) / a.length;

test('a tight face crop is re-detected with context: its five points agree with the full photo\'s', async () => {
  const photo = await loadImage('node_modules/@vladmandic/face-api/demo/sample1.jpg');
  const faces = await detectFaces(photo);
  let better = 0;
  for (const f of faces) {
    // the face cut out as datasets ship it: the box grown 5%, nothing around it
    const g = 0.05;
    const region = { x: Math.round(f.box.x - g * f.box.w), y: Math.round(f.box.y - g * f.box.h), w: Math.round(f.box.w * (1 + 2 * g)), h: Math.round(f.box.h * (1 + 2 * g)) };
    const { image: crop, box: placed } = cropBox(photo, region);
    const truth = f.landmarks5.map(([x, y]) => [x - placed.x, y - placed.y] as Point);
    const [withContext] = await detectFaces(crop, { maxFaces: 1 });
    const [without] = await detectFaces(crop, { maxFaces: 1, context: false });
    assert.ok(Math.max(without.box.w / crop.width, without.box.h / crop.height) > TIGHT_CROP_SHARE, 'the crop counts as tight');
    const iod = Math.hypot(truth[1][0] - truth[0][0], truth[1][1] - truth[0][1]);
    const e1 = meanDistance(withContext.landmarks5, truth) / iod;
    const e0 = meanDistance(without.landmarks5, truth) / iod;
    assert.ok(e1 < 0.1, `with context the five points are within 10% of the eye distance (${e1.toFixed(3)})`);
    if (e1 < e0) better++;
    // coordinates are the crop's own, not the canvas's
    assert.ok(withContext.box.x > -crop.width * 0.3 && withContext.box.x < crop.width * 0.5);
  }
  assert.ok(better >= Math.ceil(faces.length / 2), `context helped on ${better} of ${faces.length} faces`);
});

test('a face that does not fill the image is detected once, unchanged by the context option', async () => {
  const photo = await loadImage('node_modules/@vladmandic/face-api/demo/sample1.jpg');
  const a = await detectFaces(photo);
  const b = await detectFaces(photo, { context: false });
  assert.deepEqual(a, b);
});

test('a small image whose detected face is only a small part of it is searched with context too', async () => {
  // an ID-card-like image: a tight crop of one face (the detector alone misses it) with a small
  // whole face printed in its corner (the detector alone finds only that one)
  const photo = await loadImage('node_modules/@vladmandic/face-api/demo/sample6.jpg');
  const [a, b] = await detectFaces(photo);
  const grow = (f: typeof a, g: number) => ({ x: Math.round(f.box.x - g * f.box.w), y: Math.round(f.box.y - g * f.box.h), w: Math.round(f.box.w * (1 + 2 * g)), h: Math.round(f.box.h * (1 + 2 * g)) });
  const { image: crop, box: placed } = cropBox(photo, grow(a, -0.1));
  const ghost = cropBox(photo, grow(b, 0.4)).image;
  const small = (await resizeImage(ghost, 60, Math.round((60 * ghost.height) / ghost.width))).image;
  for (let y = 0; y < small.height; y++) crop.data.set(small.data.subarray(y * 60 * 3, (y + 1) * 60 * 3), y * crop.width * 3);
  const truth = a.landmarks5.map(([x, y]) => [x - placed.x, y - placed.y] as Point);
  const iod = Math.hypot(truth[1][0] - truth[0][0], truth[1][1] - truth[0][1]);
  const fills = (f: { box: { w: number; h: number } }) => Math.max(f.box.w / crop.width, f.box.h / crop.height) > TIGHT_CROP_SHARE;

  const without = await detectFaces(crop, { context: false });
  assert.ok(without.length > 0 && !without.some(fills), 'alone, the detector finds only the small face');
  const big = (await detectFaces(crop)).filter(fills);
  assert.equal(big.length, 1, 'with context the face filling the image is found');
  const e = meanDistance(big[0].landmarks5, truth) / iod;
  assert.ok(e < 0.1, `its five points are within 10% of the eye distance (${e.toFixed(3)})`);
});
