import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaceTracker } from '../../src/video/tracker.ts';
import { BoxKalmanFilter } from '../../src/video/kalman.ts';

const box = (x: number, y: number, s = 50) => ({ x, y, w: s, h: s });

test('two faces moving in opposite directions keep their ids when their paths are interleaved', () => {
  const tr = new FaceTracker({ minHits: 1 });
  const idsA = new Set<number>();
  const idsB = new Set<number>();
  for (let f = 0; f < 30; f++) {
    const a = box(100 + 4 * f, 100);
    const b = box(300 - 4 * f, 110);
    // detections arrive in varying order: assignment must not depend on it
    const dets = f % 2 ? [{ box: a, score: 1 }, { box: b, score: 1 }] : [{ box: b, score: 1 }, { box: a, score: 1 }];
    const step = tr.update(dets, f * 40);
    const ia = f % 2 ? step.assignment[0] : step.assignment[1];
    const ib = f % 2 ? step.assignment[1] : step.assignment[0];
    idsA.add(ia);
    idsB.add(ib);
  }
  // the boxes cross around frame 25 (x = 200): a tracker matching by position alone swaps them there
  assert.equal(idsA.size, 1, `face A changed id: ${[...idsA]}`);
  assert.equal(idsB.size, 1, `face B changed id: ${[...idsB]}`);
  assert.notDeepEqual([...idsA], [...idsB]);
});

test('a track survives a short gap with no detections, and ends after a long one', () => {
  const tr = new FaceTracker({ minHits: 2, maxGapMs: 500 });
  let id = -1;
  for (let f = 0; f < 10; f++) id = tr.update([{ box: box(100 + 2 * f, 100), score: 1 }], f * 40).assignment[0];
  // 300 ms occlusion: frames with no detections at all
  for (let f = 10; f < 17; f++) assert.equal(tr.update([], f * 40).ended.length, 0);
  const back = tr.update([{ box: box(134, 100), score: 1 }], 17 * 40);
  assert.equal(back.assignment[0], id, 'same id after the gap');
  let ended: number[] = [];
  for (let f = 18; f < 40 && ended.length === 0; f++) ended = tr.update([], f * 40).ended.map((t) => t.id);
  assert.deepEqual(ended, [id]);
});

test('a one-frame detection never becomes a confirmed track', () => {
  const tr = new FaceTracker({ minHits: 3, maxGapMs: 100 });
  const s1 = tr.update([{ box: box(10, 10), score: 0.6 }], 0);
  assert.equal(s1.started.length, 0);
  let ended = 0;
  for (let f = 1; f < 10; f++) ended += tr.update([], f * 40).ended.length;
  assert.equal(ended, 0, 'an unconfirmed track ends silently');
});

test('prediction carries a moving face between detection frames (detection every 3rd frame)', () => {
  const tr = new FaceTracker({ minHits: 1 });
  let id = -1;
  for (let f = 0; f < 60; f++) {
    const b = box(50 + 5 * f, 80);
    const step = f % 3 === 0 ? tr.update([{ box: b, score: 1 }], f * 40) : tr.advance(f * 40);
    if (f === 0) id = step.assignment[0];
    if (f % 3 === 0) assert.equal(step.assignment[0], id);
  }
  const [t] = tr.flush();
  assert.equal(t.id, id);
});

test('the Kalman filter learns a constant velocity', () => {
  const k = new BoxKalmanFilter(box(0, 0));
  for (let f = 1; f < 20; f++) {
    k.predict();
    k.update(box(10 * f, 0));
  }
  const p = k.predict();
  assert.ok(Math.abs(p.x - 200) < 3, `predicted x ${p.x}, expected about 200`);
});
