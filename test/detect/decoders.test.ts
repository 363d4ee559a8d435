import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blazeFaceAnchors, blazeFaceOutputs, decodeBlazeFace, decodeSsd, decodeUltraLight, loadSsdAnchors, SSD_ANCHORS } from '../../src/detect/index.ts';

const close = (a: number, b: number, eps = 1e-4, msg = '') => assert.ok(Math.abs(a - b) <= eps, `${msg} ${a} vs ${b}`);

test('BlazeFace anchors: 896 centres, 16x16 grid x2 then 8x8 grid x6', () => {
  const a = blazeFaceAnchors(256);
  assert.equal(a.length, 896 * 2);
  assert.deepEqual([...a.subarray(0, 4)], [8, 8, 8, 8]); // first cell, two anchors
  assert.deepEqual([...a.subarray(4, 6)], [24, 8]);
  assert.deepEqual([...a.subarray(511 * 2, 512 * 2)], [248, 248]);
  assert.deepEqual([...a.subarray(512 * 2, 513 * 2)], [16, 16]);
  assert.deepEqual([...a.subarray(895 * 2)], [240, 240]);
});

test('BlazeFace: zero offsets decode to a box centred on the anchor; keypoints offset from it', () => {
  const anchors = blazeFaceAnchors(256);
  const reg = new Float32Array(896 * 16);
  const logits = new Float32Array(896).fill(-10);
  const i = 600; // an 8x8-grid anchor
  logits[i] = 2;
  reg.set([0, 0, 40, 50, -10, -5, 10, -5, 0, 5, 0, 15, -20, 0, 20, 0], i * 16);
  const d = decodeBlazeFace(reg, logits, anchors, 0.5);
  assert.equal(d.length, 1);
  const [ax, ay] = [anchors[2 * i], anchors[2 * i + 1]];
  close(d[0].box.x, ax - 20);
  close(d[0].box.y, ay - 25);
  close(d[0].box.w, 40);
  close(d[0].box.h, 50);
  close(d[0].score, 1 / (1 + Math.exp(-2)));
  assert.deepEqual(d[0].keypoints![0], [ax - 10, ay - 5]);
  assert.deepEqual(d[0].keypoints![5], [ax + 20, ay]);
  // a shifted centre moves the box
  reg[i * 16] = 7;
  close(decodeBlazeFace(reg, logits, anchors, 0.5)[0].box.x, ax + 7 - 20);
});

test('BlazeFace outputs are gathered by shape, 512-group first, whatever the names', () => {
  const r512 = new Float32Array(512 * 16).fill(1);
  const r384 = new Float32Array(384 * 16).fill(2);
  const l512 = new Float32Array(512).fill(3);
  const l384 = new Float32Array(384).fill(4);
  const { regressors, logits } = blazeFaceOutputs({
    b: { data: l384, dims: [1, 384, 1] }, a: { data: r384, dims: [1, 384, 16] }, d: { data: r512, dims: [1, 512, 16] }, c: { data: l512, dims: [1, 512, 1] },
  }, 'test');
  assert.equal(regressors[0], 1);
  assert.equal(regressors[512 * 16], 2);
  assert.equal(logits[511], 3);
  assert.equal(logits[512], 4);
  assert.throws(() => blazeFaceOutputs({ x: { data: l512, dims: [1, 512, 1] } }, 'test'), /no output shaped/);
});

test('SSD: zero encodings decode to the anchor box, scaled encodings as face-api', () => {
  const anchors = new Float32Array([0.1, 0.2, 0.3, 0.6, 0.5, 0.5, 0.7, 0.6]); // (ymin, xmin, ymax, xmax)
  const enc = new Float32Array(8);
  const scores = new Float32Array([0.9, 0.2]);
  const d = decodeSsd(enc, scores, anchors, 512, 0.5);
  assert.equal(d.length, 1);
  close(d[0].box.x, 0.2 * 512, 1e-3);
  close(d[0].box.y, 0.1 * 512, 1e-3);
  close(d[0].box.w, 0.4 * 512, 1e-3);
  close(d[0].box.h, 0.2 * 512, 1e-3);
  // ty = 10 shifts the centre by one anchor height; th = 5 * ln 2 doubles the height
  enc.set([10, 0, 5 * Math.log(2), 0], 0);
  const e = decodeSsd(enc, scores, anchors, 1, 0.5)[0];
  close(e.box.y + e.box.h / 2, 0.2 + 0.2, 1e-6);
  close(e.box.h, 0.4, 1e-6);
});

test('face-api SSD anchors load from its weights: 5118 normalised corner boxes', () => {
  const a = loadSsdAnchors();
  assert.equal(a.length, SSD_ANCHORS * 4);
  for (let i = 0; i < SSD_ANCHORS; i += 97) {
    assert.ok(a[4 * i + 2] > a[4 * i] && a[4 * i + 3] > a[4 * i + 1], `anchor ${i} is a box`);
    assert.ok(a[4 * i] > -1 && a[4 * i + 2] < 2, `anchor ${i} normalised`);
  }
  // the first predictor's cells are 1/32 of the input apart
  const centre = (i: number) => (a[4 * i + 1] + a[4 * i + 3]) / 2;
  close(centre(3) - centre(0), 1 / 32, 1e-3);
});

test('Ultra-Light decoding: face column of the softmax, corner boxes scaled to pixels', () => {
  const scores = new Float32Array([0.9, 0.1, 0.2, 0.8]);
  const boxes = new Float32Array([0, 0, 1, 1, 0.25, 0.5, 0.5, 1]);
  const d = decodeUltraLight(scores, boxes, 200, 100, 0.5);
  assert.equal(d.length, 1);
  assert.deepEqual(d[0].box, { x: 50, y: 50, w: 50, h: 50 });
  assert.equal(d[0].score, scores[3]);
});
