import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { assessQuality, checkEnrollFaceSize, MIN_ENROLL_FACE_SIDE, QUALITY_BAR, estimatePose } from '../../src/analyze/index.ts';
import type { Face } from '../../src/face.ts';
import type { Landmarks5 } from '../../src/face.ts';
import { SAMPLE1, SAMPLE1_FACE, frontal5, loadRgb, toRgb } from './helpers.ts';

test('a sharp, well-lit frontal face passes the enrollment bar', async () => {
  const q = await assessQuality(await loadRgb(SAMPLE1), SAMPLE1_FACE);
  assert.ok(q.score >= QUALITY_BAR, `score ${q.score.toFixed(3)} ${JSON.stringify(q)}`);
  assert.equal(q.passes, true);
  for (const k of ['size', 'blur', 'poseScore', 'brightness'] as const) assert.ok(q[k] >= 0 && q[k] <= 1, k);
});

test('a blurred copy scores lower on blur and overall than its source', async () => {
  const source = await assessQuality(await loadRgb(SAMPLE1), SAMPLE1_FACE);
  const blurred = await assessQuality(await toRgb(sharp(SAMPLE1).blur(4)), SAMPLE1_FACE);
  assert.ok(blurred.blur < source.blur * 0.5, `blur ${blurred.blur} vs ${source.blur}`);
  assert.ok(blurred.score < source.score, `score ${blurred.score} vs ${source.score}`);
  assert.ok(blurred.score < QUALITY_BAR, `a 4-sigma blur should fail enrollment, got ${blurred.score}`);
});

test('a darker copy scores lower on brightness', async () => {
  const source = await assessQuality(await loadRgb(SAMPLE1), SAMPLE1_FACE);
  const dark = await assessQuality(await toRgb(sharp(SAMPLE1).linear(0.2, 0)), SAMPLE1_FACE);
  assert.ok(dark.measures.meanLuma < source.measures.meanLuma * 0.3);
  assert.ok(dark.brightness < source.brightness, `brightness ${dark.brightness} vs ${source.brightness}`);
});

test('pose from synthetic landmarks: frontal is ~0, a shifted nose gives the yaw sign, a tilted eye line the roll', () => {
  const f = estimatePose(frontal5());
  assert.ok(Math.abs(f.yaw) < 3 && Math.abs(f.pitch) < 5 && Math.abs(f.roll) < 1, JSON.stringify(f));

  const right = frontal5();
  right[2] = [right[2][0] + 20, right[2][1]];
  const left = frontal5();
  left[2] = [left[2][0] - 20, left[2][1]];
  assert.ok(estimatePose(right).yaw > 15, `nose right -> yaw ${estimatePose(right).yaw}`);
  assert.ok(estimatePose(left).yaw < -15, `nose left -> yaw ${estimatePose(left).yaw}`);

  const down = frontal5();
  down[2] = [down[2][0], down[2][1] + 15];
  assert.ok(estimatePose(down).pitch > 10, `nose nearer mouth -> pitch ${estimatePose(down).pitch}`);

  // rotate the whole frontal layout by 20 degrees: roll 20, yaw and pitch unchanged
  const a = (20 * Math.PI) / 180;
  const rotated = frontal5().map(([x, y]) => [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)]) as Landmarks5;
  const r = estimatePose(rotated);
  assert.ok(Math.abs(r.roll - 20) < 0.5 && Math.abs(r.yaw - f.yaw) < 0.5 && Math.abs(r.pitch - f.pitch) < 0.5, JSON.stringify(r));
});

test('a face turned far to the side fails on pose', async () => {
  const turned = structuredClone(SAMPLE1_FACE);
  turned.landmarks5[2] = [turned.landmarks5[2][0] + 80, turned.landmarks5[2][1]];
  const q = await assessQuality(await loadRgb(SAMPLE1), turned);
  assert.ok(q.pose.yaw > 40 && q.poseScore < 0.2 && !q.passes, JSON.stringify(q.pose));
});

test('a face under the minimum side is refused for enrollment, naming its size and the minimum', () => {
  const face = (side: number) => ({ box: { x: 0, y: 0, w: side, h: side }, score: 0.9, landmarks5: [] }) as unknown as Face;
  assert.throws(() => checkEnrollFaceSize(face(16), 'tiny.jpg'), (e: any) => e.code === 'BAD_IMAGE' && /tiny\.jpg is 16x16 pixels, too small to enroll \(at least 32x32\)/.test(e.message));
  assert.doesNotThrow(() => checkEnrollFaceSize(face(MIN_ENROLL_FACE_SIDE), 'ok.jpg'));
});
