import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { cropAndResize, faceLandmarks, meshRegion, predictMesh } from '../../src/analyze/index.ts';
import type { Point } from '../../src/face.ts';
import { SAMPLE1, SAMPLE1_FACE, loadRgb } from './helpers.ts';

const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

test('cropAndResize reproduces tf.image.cropAndResize (bilinear, black outside), mirrored on request', async () => {
  await tf.setBackend('cpu');
  const W = 23;
  const H = 17;
  const src = Float32Array.from({ length: W * H * 3 }, (_, i) => (i * 7919) % 256);
  const boxes: [number, number, number, number][] = [[0.1, 0.2, 0.8, 0.9], [-0.2, -0.1, 0.7, 1.3], [0.33, 0.05, 0.5, 0.95]];
  for (const box of boxes) {
    for (const [ow, oh] of [[9, 6], [31, 40]]) {
      const ref = tf.tidy(() => tf.image.cropAndResize(tf.tensor4d(src, [1, H, W, 3]), [box], [0], [oh, ow]).dataSync());
      const mine = cropAndResize(src, W, H, box, ow, oh);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - mine[i]));
      assert.ok(worst < 1e-3, `box ${box} ${ow}x${oh}: max difference ${worst}`);
      const flipped = cropAndResize(src, W, H, box, ow, oh, 1, true);
      const refFlip = tf.tidy(() => tf.reverse(tf.tensor4d(ref, [1, oh, ow, 3]), 2).dataSync());
      for (let i = 0; i < refFlip.length; i++) assert.ok(Math.abs(refFlip[i] - flipped[i]) < 1e-3);
    }
  }
});

test('meshRegion: the box grown 1.4x and made square about its centre (Human\'s detector box)', () => {
  const r = meshRegion({ box: { x: 100, y: 50, w: 100, h: 150 } });
  assert.deepEqual(r, { start: [45, 20], end: [255, 230] });
});

test('predictMesh on a real face: 478 points where the face is, irises on the eyes, high face score', async () => {
  const img = await loadRgb(SAMPLE1);
  const m = await predictMesh(img, SAMPLE1_FACE);
  assert.equal(m.points.length, 478);
  assert.ok(m.faceScore > 0.9, `face score ${m.faceScore}`);
  const [le, re, nose] = SAMPLE1_FACE.landmarks5;
  const iod = dist(le, re);
  // 468-472 is the iris of the eye on the image's right (MediaPipe's "left" eye), 473-477 the other
  assert.ok(dist(m.points[468], re) < 0.2 * iod, `iris 468 ${m.points[468]} vs ${re}`);
  assert.ok(dist(m.points[473], le) < 0.2 * iod, `iris 473 ${m.points[473]} vs ${le}`);
  assert.ok(dist(m.points[1], nose) < 0.3 * iod, `nose tip ${m.points[1]} vs ${nose}`);
  // each iris' four rim points surround its centre at a plausible radius
  for (const c of [468, 473]) {
    for (let k = 1; k <= 4; k++) {
      const r = dist(m.points[c], m.points[c + k]);
      assert.ok(r > 0.03 * iod && r < 0.25 * iod, `iris rim ${c + k} at ${r.toFixed(1)} px`);
    }
  }
  const { x, y, w, h } = m.region;
  assert.ok(m.points.every(([px, py]) => px > x && px < x + w && py > y && py < y + h));
});

test('predictMesh: a background box scores low; iris:false leaves 468 points and the nose unchanged', async () => {
  const img = await loadRgb(SAMPLE1);
  const bg = await predictMesh(img, { box: { x: 1100, y: 100, w: 200, h: 200 } }, { iris: false });
  assert.ok(bg.faceScore < 0.1, `background face score ${bg.faceScore}`);
  const plain = await predictMesh(img, SAMPLE1_FACE, { iris: false });
  const full = await predictMesh(img, SAMPLE1_FACE);
  assert.equal(plain.points.length, 468);
  assert.deepEqual(plain.points[1], full.points[1]);
  // the iris model redraws the lid contours: they move, a little
  const iod = dist(SAMPLE1_FACE.landmarks5[0], SAMPLE1_FACE.landmarks5[1]);
  const moved = dist(plain.points[263], full.points[263]);
  assert.ok(moved > 0 && moved < 0.3 * iod, `lid corner moved ${moved}`);
});

test('faceLandmarks: 5 returns the detector points, mesh the 478 points, unknown sets are refused', async () => {
  const img = await loadRgb(SAMPLE1);
  assert.deepEqual(await faceLandmarks(img, SAMPLE1_FACE, '5'), SAMPLE1_FACE.landmarks5);
  const mesh = await faceLandmarks(img, SAMPLE1_FACE, 'mesh');
  assert.equal(mesh.length, 478);
  assert.ok(mesh.every((p: Point) => p.length === 2));
  await assert.rejects(faceLandmarks(img, SAMPLE1_FACE, '7' as never), /unknown landmark set "7"/);
});
