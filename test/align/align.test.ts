import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARCFACE_112, alignFace, alignToTemplate, applyAffine, arcfaceTemplate, dlibTemplate, invertAffine, similarityTransform, squareCrop, warpAffine, type Affine,
} from '../../src/align/index.ts';
import type { Landmarks5, Point } from '../../src/face.ts';
import type { RgbImage } from '../../src/image/types.ts';

const close = (a: number, b: number, eps: number, msg?: string) => assert.ok(Math.abs(a - b) <= eps, `${msg ?? ''} ${a} vs ${b}`);

test('a known rotation + scale + translation is recovered exactly from transformed points', () => {
  const theta = 0.4, s = 1.7, tx = 12.5, ty = -30;
  const m: Affine = [[s * Math.cos(theta), -s * Math.sin(theta), tx], [s * Math.sin(theta), s * Math.cos(theta), ty]];
  const src = ARCFACE_112.points;
  const dst = src.map((p) => applyAffine(m, p));
  const got = similarityTransform(src, dst);
  for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) close(got[r][c], m[r][c], 1e-9, `m[${r}][${c}]`);
});

test('least squares with noise, and no reflection even for mirrored points', () => {
  const src: Point[] = [[0, 0], [10, 0], [0, 10], [10, 10]];
  const dst: Point[] = [[1, 0], [21, 0.5], [1, 20], [21, 20.5]]; // scale 2, shift 1 (+ noise)
  const m = similarityTransform(src, dst);
  close(m[0][0], 2, 0.03);
  close(m[0][2], 1, 0.3);
  const mirrored = ARCFACE_112.points.map(([x, y]) => [-x, y] as Point);
  const r = similarityTransform(ARCFACE_112.points, mirrored);
  assert.ok(r[0][0] * r[1][1] - r[0][1] * r[1][0] > 0, 'proper rotation (positive determinant)');
});

test('warp of a synthetic image puts a known pixel where expected', () => {
  const W = 50, H = 40;
  const data = new Uint8Array(W * H * 3);
  data.set([255, 128, 7], (10 * W + 20) * 3); // one bright pixel at (20, 10)
  const img: RgbImage = { data, width: W, height: H };
  const m: Affine = [[0, -1, 39], [1, 0, 0]]; // rotate 90 degrees: (x, y) -> (39 - y, x)
  const out = warpAffine(img, m, 40, 50);
  const at = (x: number, y: number) => [...out.data.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3)];
  assert.deepEqual(at(29, 20), [255, 128, 7]);
  assert.deepEqual(at(28, 20), [0, 0, 0]);
  // half-pixel shift blends bilinearly
  const half = warpAffine(img, [[1, 0, 0.5], [0, 1, 0]], W, H);
  assert.equal(half.data[(10 * W + 20) * 3], 128);
  assert.equal(half.data[(10 * W + 21) * 3], 128);
  // outside the source reads the fill
  const shifted = warpAffine(img, [[1, 0, 100], [0, 1, 0]], W, H, { fill: [9, 9, 9] });
  assert.deepEqual([...shifted.data.subarray(0, 3)], [9, 9, 9]);
});

test('the five landmarks land on the template after aligning', () => {
  const img: RgbImage = { data: new Uint8Array(400 * 300 * 3), width: 400, height: 300 };
  // put the face somewhere inside the image: map template -> image with an arbitrary similarity
  const toImage: Affine = [[1.5 * Math.cos(0.3), -1.5 * Math.sin(0.3), 120], [1.5 * Math.sin(0.3), 1.5 * Math.cos(0.3), 60]];
  const landmarks = ARCFACE_112.points.map((p) => applyAffine(toImage, p)) as Landmarks5;
  const crop = alignToTemplate(img, landmarks);
  assert.equal(crop.width, 112);
  landmarks.forEach((p, i) => {
    const q = applyAffine(crop.matrix, p);
    close(q[0], ARCFACE_112.points[i][0], 1e-6);
    close(q[1], ARCFACE_112.points[i][1], 1e-6);
  });
  const big = alignToTemplate(img, landmarks, { size: 224 });
  assert.equal(big.width, 224);
  close(applyAffine(big.matrix, landmarks[2])[0], ARCFACE_112.points[2][0] * 2, 1e-6);
});

test('aligned crop content: a marked eye pixel appears at the template eye', () => {
  const W = 300, H = 300;
  const data = new Uint8Array(W * H * 3);
  const toImage: Affine = [[2 * Math.cos(-0.5), -2 * Math.sin(-0.5), 100], [2 * Math.sin(-0.5), 2 * Math.cos(-0.5), 120]];
  const landmarks = ARCFACE_112.points.map((p) => applyAffine(toImage, p)) as Landmarks5;
  // paint a 5x5 white block around the image's left eye
  const [ex, ey] = landmarks[0].map(Math.round);
  for (let y = ey - 2; y <= ey + 2; y++) for (let x = ex - 2; x <= ex + 2; x++) data.set([255, 255, 255], (y * W + x) * 3);
  const crop = alignToTemplate({ data, width: W, height: H }, landmarks);
  const [tx, ty] = ARCFACE_112.points[0].map(Math.round);
  assert.ok(crop.data[(ty * 112 + tx) * 3] > 200, 'eye block lands on the template left eye');
  const [rx, ry] = ARCFACE_112.points[1].map(Math.round);
  assert.equal(crop.data[(ry * 112 + rx) * 3], 0, 'nothing at the right eye');
});

test('invertAffine undoes a matrix', () => {
  const m: Affine = [[2.1, 0.6, 150], [-0.6, 2.1, 80]];
  const p = applyAffine(invertAffine(m), applyAffine(m, [13, -7]));
  close(p[0], 13, 1e-9);
  close(p[1], -7, 1e-9);
});

test('templates: margin and size scaling, dlib chip', () => {
  const t = arcfaceTemplate(224);
  close(t.points[0][0], 38.2946 * 2, 1e-9);
  const m = arcfaceTemplate(112, 0.25);
  // margin shrinks towards the centre: the eye distance is divided by 1.5
  close(m.points[1][0] - m.points[0][0], (73.5318 - 38.2946) / 1.5, 1e-9);
  const d = dlibTemplate();
  assert.equal(d.width, 150);
  close(d.points[2][0], (0.490127 + 0.25) * 100, 1e-6);
  assert.ok(d.points[0][1] < d.points[3][1] && d.points[0][0] < d.points[1][0]);
});

test('align:false gives an unrotated square crop centred on the box', () => {
  const W = 100, H = 100;
  const data = new Uint8Array(W * H * 3);
  data.set([200, 200, 200], (50 * W + 50) * 3);
  const img = { data, width: W, height: H };
  const face = { box: { x: 30, y: 30, w: 41, h: 41 }, landmarks5: ARCFACE_112.points };
  const crop = alignFace(img, face, { align: false, size: 41 });
  assert.equal(crop.width, 41);
  assert.equal(crop.data[(20 * 41 + 20) * 3], 200, 'box centre pixel at crop centre');
  const sq = squareCrop(img, { x: 0, y: 0, w: 100, h: 100 }, { size: 50 });
  close(applyAffine(sq.matrix, [49.5, 49.5])[0], 24.5, 1e-9);
});

test('shrinking warps are antialiased without moving anything', () => {
  const W = 400, H = 400;
  // 1-pixel checkerboard: plain sampling at 1/4 scale lands on one colour; averaging gives grey
  const checker = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x + y) % 2) checker.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  const quarter: Affine = [[0.25, 0, 0], [0, 0.25, 0]];
  const aliased = warpAffine({ data: checker, width: W, height: H }, quarter, 100, 100, { antialias: false });
  const smooth = warpAffine({ data: checker, width: W, height: H }, quarter, 100, 100);
  const mid = (img: RgbImage) => img.data[(50 * 100 + 50) * 3];
  assert.ok(mid(aliased) < 20 || mid(aliased) > 235, `plain sampling aliases: ${mid(aliased)}`);
  close(mid(smooth), 127.5, 2, 'antialiased grey');
  // a linear ramp is unchanged by box averaging, so both paths agree pixel for pixel (+-1)
  const ramp = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) ramp.set([Math.floor(x * 0.6), Math.floor(y * 0.6), 0], (y * W + x) * 3);
  // scale 0.2, rotation 0.3 rad, source centre (200, 200) -> output centre (30, 30): all reads inside
  const [cs, sn] = [0.2 * Math.cos(0.3), 0.2 * Math.sin(0.3)];
  const rot: Affine = [[cs, -sn, 30 - (cs * 200 - sn * 200)], [sn, cs, 30 - (sn * 200 + cs * 200)]];
  const a = warpAffine({ data: ramp, width: W, height: H }, rot, 60, 60, { antialias: false });
  const b = warpAffine({ data: ramp, width: W, height: H }, rot, 60, 60);
  let worst = 0;
  let bias = 0;
  for (let i = 0; i < 60 * 60 * 3; i++) {
    if (i % 3 === 2) continue;
    worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    bias += (a.data[i] - b.data[i]) / (60 * 60 * 2);
  }
  // a misplaced block centre (off by (k-1)/2 = 2 source pixels) would bias the ramp by ~1.2
  assert.ok(Math.abs(bias) < 0.3, `mean difference ${bias}`);
  assert.ok(a.data[(30 * 60 + 30) * 3] > 100, 'output centre reads the ramp');
  assert.ok(worst <= 1, `antialiased and plain warps of a ramp differ by ${worst}`);
});
