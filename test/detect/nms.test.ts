import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iou, nms, weightedNms } from '../../src/detect/index.ts';

test('iou of identical, disjoint, half-overlapping and empty boxes', () => {
  const a = { x: 0, y: 0, w: 10, h: 10 };
  assert.equal(iou(a, a), 1);
  assert.equal(iou(a, { x: 20, y: 0, w: 10, h: 10 }), 0);
  assert.equal(iou(a, { x: 5, y: 0, w: 10, h: 10 }), 50 / 150);
  assert.equal(iou(a, { x: 0, y: 0, w: 0, h: 0 }), 0);
  assert.equal(iou(a, { x: 2, y: 2, w: 5, h: 5 }), 25 / 100);
});

test('nms drops low scores and overlaps, keeps separate faces, best first', () => {
  const c = [
    { box: { x: 0, y: 0, w: 10, h: 10 }, score: 0.8, id: 'a' },
    { box: { x: 1, y: 1, w: 10, h: 10 }, score: 0.9, id: 'b' },
    { box: { x: 50, y: 50, w: 10, h: 10 }, score: 0.7, id: 'c' },
    { box: { x: 80, y: 0, w: 10, h: 10 }, score: 0.2, id: 'low' },
    { box: { x: 5, y: 0, w: 10, h: 10 }, score: 0.6, id: 'half' },
  ];
  assert.deepEqual(nms(c, { scoreThreshold: 0.5, iouThreshold: 0.5 }).map((x) => x.id), ['b', 'c', 'half']);
  assert.deepEqual(nms(c, { scoreThreshold: 0.5, iouThreshold: 0.3 }).map((x) => x.id), ['b', 'c']);
  assert.deepEqual(nms(c, { scoreThreshold: 0.5, iouThreshold: 0.3, maxResults: 1 }).map((x) => x.id), ['b']);
  assert.deepEqual(nms(c, { scoreThreshold: 0.1, iouThreshold: 0.3 }).map((x) => x.id), ['b', 'c', 'low']);
});

test('weighted nms blends the cluster by score and keeps the best score', () => {
  const out = weightedNms([
    { box: { x: 0, y: 0, w: 10, h: 10 }, score: 0.75, landmarks: [[0, 0] as [number, number]] },
    { box: { x: 2, y: 0, w: 10, h: 10 }, score: 0.25, landmarks: [[4, 8] as [number, number]] },
    { box: { x: 40, y: 0, w: 10, h: 10 }, score: 0.5, landmarks: [[40, 0] as [number, number]] },
  ], { iouThreshold: 0.3 });
  assert.equal(out.length, 2);
  assert.equal(out[0].score, 0.75);
  assert.equal(out[0].box.x, 0.5);
  assert.deepEqual(out[0].landmarks, [[1, 2]]);
  assert.equal(out[1].box.x, 40);
});
