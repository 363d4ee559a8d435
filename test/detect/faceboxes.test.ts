import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Box } from '../../src/face.ts';
import { decodeFaceBoxes, detectFaces, faceBoxesAnchorCount, faceBoxesAnchors, getDetector, listDetectors, nativeTiles } from '../../src/detect/index.ts';
import { loadImage, resizeImage } from '../../src/image/index.ts';
import type { RgbImage } from '../../src/image/types.ts';
import { getModelRecord, loadModel } from '../../src/models/index.ts';

const close = (a: number, b: number, eps = 1e-6, msg = '') => assert.ok(Math.abs(a - b) <= eps, `${msg} ${a} vs ${b}`);
const demo = 'node_modules/@vladmandic/face-api/demo';
const contains = (b: Box, x: number, y: number) => x > b.x && x < b.x + b.w && y > b.y && y < b.y + b.h;

test('anchor layout: 21 per stride-32 cell, 1 per stride-64 and stride-128 cell, y varying fastest', () => {
  assert.equal(faceBoxesAnchorCount(512, 512), 16 * 16 * 21 + 8 * 8 + 4 * 4);
  const a = faceBoxesAnchors(512, 512);
  assert.equal(a.length, 4 * 5456);
  const side = 32 / 512;
  // first 32 px anchor of cell (0,0): centre 1/128 in both axes (4 per cell side of 1/16)
  const c0 = 0.5 / 16 - side / 2 + side / 8;
  assert.deepEqual([...a.subarray(0, 4)].map((v) => +v.toFixed(6)), [0, 0, c0 + side / 2, c0 + side / 2].map((v) => +v.toFixed(6)));
  close(a[4 + 2], c0 + side / 4 + side / 2, 1e-6, 'second anchor moves down');
  close(a[4 + 3], c0 + side / 2, 1e-6, 'second anchor keeps x');
  close(a[16 + 3], c0 + side / 4 + side / 2, 1e-6, 'fifth anchor moves right');
  // the 128 px anchor closes cell (0,0): index 20, centred on the cell
  close(a[20 * 4 + 2], 1 / 32 + 0.125, 1e-6);
  // the last anchor is the 512 px one of the last stride-128 cell, centre 7/8, clipped to the image
  assert.deepEqual([...a.subarray(a.length - 4)].map((v) => +v.toFixed(6)), [0.375, 0.375, 1, 1]);
  assert.ok(a.every((v) => v >= 0 && v <= 1), 'anchors are clipped to the input');
});

test('decoding: zero encodings give the anchor box, offsets scale by the anchor size with factors 10 and 5', () => {
  const anchors = new Float32Array([0.2, 0.1, 0.4, 0.5, 0.5, 0.5, 0.6, 0.6]); // (ymin, xmin, ymax, xmax)
  const enc = new Float32Array(8);
  const probs = new Float32Array([0.1, 0.9, 0.8, 0.2]); // (background, face)
  let d = decodeFaceBoxes(enc, probs, anchors, 200, 100, 0.5);
  assert.equal(d.length, 1, 'the face column is thresholded');
  close(d[0].score, probs[1]);
  close(d[0].box.x, 0.1 * 200, 1e-4);
  close(d[0].box.y, 0.2 * 100, 1e-4);
  close(d[0].box.w, 0.4 * 200, 1e-4);
  close(d[0].box.h, 0.2 * 100, 1e-4);
  // ty = 5: centre moves down half an anchor height; th = 5 ln 2: height doubles (float16 factors)
  enc.set([5, 0, 5 * Math.LN2, 0]);
  d = decodeFaceBoxes(enc, probs, anchors, 200, 100, 0.5);
  close(d[0].box.y + d[0].box.h / 2, (0.3 + 0.1) * 100, 0.01);
  close(d[0].box.h, 0.4 * 100, 0.01);
  close(d[0].box.w, 0.4 * 200, 1e-4);
  // boxes are clipped to the input
  enc.set([0, -10, 0, 10]);
  d = decodeFaceBoxes(enc, probs, anchors, 200, 100, 0.5);
  assert.equal(d[0].box.x, 0);
  assert.ok(d[0].box.x + d[0].box.w <= 200);
});

test('the compiled heads have one row per anchor', async () => {
  const record = getModelRecord('faceboxes');
  const { session } = await loadModel('faceboxes');
  const { width, height } = record.input;
  const out = await session.run({ [record.input.name]: { data: new Float32Array(width * height * 3).fill(100), dims: [1, height, width, 3] } });
  const n = faceBoxesAnchorCount(width, height);
  assert.deepEqual(Object.values(out).map((t) => t.dims.join(',')).sort(), [`1,${n},2`, `1,${n},4`]);
});

test('native-resolution windows cover the image with the stated overlap', () => {
  assert.deepEqual(nativeTiles(500, 400), []);
  const t = nativeTiles(1280, 853);
  assert.equal(t.length, 6);
  for (const b of t) assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= 1280 && b.y + b.h <= 853 && b.w === 512 && b.h === 512);
  const xs = [...new Set(t.map((b) => b.x))].sort((p, q) => p - q);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i - 1] + 512 - xs[i] >= 128, 'neighbouring windows overlap by at least 128 px');
  assert.equal(Math.max(...t.map((b) => b.x + b.w)), 1280);
  assert.equal(Math.max(...t.map((b) => b.y + b.h)), 853);
});

test('faceboxes is a registered detector and finds the demo photos\' faces, completed with landmarks', async () => {
  assert.ok(listDetectors().some((d) => d.id === 'faceboxes'));
  for (const [file, n] of [['sample1.jpg', 3], ['sample4.jpg', 4], ['sample6.jpg', 4]] as const) {
    const img = await loadImage(`${demo}/${file}`);
    const faces = await detectFaces(img, { detector: 'faceboxes', denseLandmarks: false });
    const ref = await detectFaces(img, { denseLandmarks: false });
    assert.equal(faces.length, n, `faceboxes on ${file}`);
    for (const f of faces) {
      assert.equal(f.detector, 'faceboxes');
      assert.ok(ref.some((r) => contains(r.box, f.box.x + f.box.w / 2, f.box.y + f.box.h / 2)), `${file}: box centre lies in an fr_detect box`);
      const [le, re, , lm, rm] = f.landmarks5;
      assert.ok(Math.max(le[1], re[1]) < Math.min(lm[1], rm[1]), 'eyes above the mouth');
      assert.ok(contains(f.box, le[0], le[1]) && contains(f.box, rm[0], rm[1]), 'landmarks inside the box');
    }
  }
});

test('tiles find small faces that one downscaled pass misses', async () => {
  // two copies of a 4-face group photo, faces ~50 px, on a 1280x720 canvas: one pass sees them at 20 px
  const src = await loadImage(`${demo}/sample4.jpg`);
  const small = (await resizeImage(src, 560, Math.round((src.height * 560) / src.width))).image;
  const W = 1280, H = 720;
  const data = new Uint8Array(W * H * 3).fill(128);
  const offsets = [[0, 0], [W - small.width, H - small.height]];
  for (const [ox, oy] of offsets) {
    for (let y = 0; y < small.height; y++) data.set(small.data.subarray(y * small.width * 3, (y + 1) * small.width * 3), ((y + oy) * W + ox) * 3);
  }
  const canvas: RgbImage = { data, width: W, height: H };
  const truth = (await getDetector('fr_detect').run(small, { scoreThreshold: 0.7, iouThreshold: 0.3 }))
    .flatMap((r) => offsets.map(([ox, oy]) => [r.box.x + r.box.w / 2 + ox, r.box.y + r.box.h / 2 + oy]));
  assert.equal(truth.length, 8);
  const fb = getDetector('faceboxes');
  const opts = { ...fb.defaults };
  const found = (dets: { box: Box }[]) => truth.filter(([x, y]) => dets.some((d) => contains(d.box, x, y))).length;
  const once = await fb.run(canvas, { ...opts, tiles: false });
  const tiled = await fb.run(canvas, { ...opts, tiles: true });
  assert.equal(found(tiled), 8, `with tiles: ${found(tiled)} of 8 faces`);
  assert.equal(tiled.length, 8, 'no duplicates from overlapping windows');
  assert.ok(found(once) <= 4, `one pass: ${found(once)} of 8 faces`);
});
