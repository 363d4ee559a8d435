import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLiveness, eyeAspectRatio, type LivenessFrame } from '../../src/analyze/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import type { Point } from '../../src/face.ts';
import { frontal5 } from './helpers.ts';

/** Six eye points (p1..p6) at (cx, cy), 30 px wide, with the given aspect ratio. */
function eye(cx: number, cy: number, ear: number): Point[] {
  const w = 30;
  const h = (ear * w) / 2;
  return [[cx - w / 2, cy], [cx - w / 6, cy - h], [cx + w / 6, cy - h], [cx + w / 2, cy], [cx + w / 6, cy + h], [cx - w / 6, cy + h]];
}

/** A 68-point set where only the eyes (36-47) matter. */
function landmarks68(ear: number): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, () => [0, 0] as Point);
  pts.splice(36, 6, ...eye(180, 200, ear));
  pts.splice(42, 6, ...eye(250, 200, ear));
  return pts;
}

/** Frames from an EAR track (one frame per 33 ms, frontal head). */
function earFrames(track: number[]): LivenessFrame[] {
  return track.map((ear, i) => ({ time: i * 33, landmarks5: frontal5(), landmarks68: landmarks68(ear) }));
}

/** Frames whose nose is shifted sideways by `shift` px (eye distance 70 px). */
function yawFrames(shifts: number[]): LivenessFrame[] {
  return shifts.map((s, i) => {
    const l = frontal5();
    l[2] = [l[2][0] + s, l[2][1]];
    return { time: i * 33, landmarks5: l };
  });
}

const open = (n: number) => Array(n).fill(0.3);
const closed = (n: number) => Array(n).fill(0.08);

test('EAR of synthetic eyes equals the ratio they were built with', () => {
  assert.ok(Math.abs(eyeAspectRatio(eye(0, 0, 0.3)) - 0.3) < 1e-9);
  assert.ok(Math.abs(eyeAspectRatio(eye(5, 9, 0.05)) - 0.05) < 1e-9);
});

test('blink counts: none, one, two; a too-long closure is not a blink', () => {
  const none = checkLiveness(earFrames(open(30)), ['blink']);
  assert.equal(none.checks.blink.count, 0);
  assert.equal(none.passed, false);

  const one = checkLiveness(earFrames([...open(10), ...closed(3), ...open(10)]), ['blink']);
  assert.equal(one.checks.blink.count, 1);
  assert.equal(one.passed, true);

  const two = checkLiveness(earFrames([...open(10), 0.15, ...closed(3), 0.15, ...open(8), ...closed(4), ...open(5)]), ['blink']);
  assert.equal(two.checks.blink.count, 2);

  const long = checkLiveness(earFrames([...open(10), ...closed(40), ...open(10)]), ['blink']);
  assert.equal(long.checks.blink.count, 0, 'eyes shut for 40 frames is not a blink');
  assert.equal(long.passed, false);

  // closed at the start (never seen open before) or still closed at the end: no blink
  assert.equal(checkLiveness(earFrames([...closed(3), ...open(10)]), ['blink']).checks.blink.count, 0);
  assert.equal(checkLiveness(earFrames([...open(10), ...closed(3)]), ['blink']).checks.blink.count, 0);
});

test('blink limits are options', () => {
  const frames = earFrames([...open(5), ...closed(20), ...open(5)]);
  assert.equal(checkLiveness(frames, ['blink']).checks.blink.count, 0);
  assert.equal(checkLiveness(frames, ['blink'], { maxClosedFrames: 25 }).checks.blink.count, 1);
  assert.equal(checkLiveness(earFrames([...open(5), ...closed(1), ...open(5)]), ['blink'], { minClosedFrames: 2 }).checks.blink.count, 0);
});

test('head turns: left and right need to go beyond the angle and come back', () => {
  const ramp = (to: number) => [0, to * 0.25, to * 0.5, to * 0.75, to, to, to * 0.5, 0, 0];
  const right = checkLiveness(yawFrames(ramp(40)), ['turnRight']);
  assert.equal(right.checks.turnRight.count, 1);
  assert.equal(right.checks.turnLeft.count, 0);
  assert.equal(right.passed, true);

  const left = checkLiveness(yawFrames(ramp(-40)), ['turnLeft']);
  assert.equal(left.checks.turnLeft.count, 1);
  assert.equal(left.checks.turnRight.count, 0);

  // a small turn (about 10 degrees) does not pass
  assert.equal(checkLiveness(yawFrames(ramp(7)), ['turnRight']).passed, false);
  // turned but never back to frontal: not passed
  assert.equal(checkLiveness(yawFrames([0, 10, 20, 40, 40, 40]), ['turnRight']).passed, false);
  // mirrored frames swap the directions
  assert.equal(checkLiveness(yawFrames(ramp(40)), ['turnLeft'], { mirrored: true }).passed, true);
});

test('all requested challenges must pass, in any order of frames given', () => {
  const frames = [...yawFrames([0, 20, 40, 20, 0, -20, -40, -20, 0])];
  const both = checkLiveness(frames, ['turnLeft', 'turnRight']);
  assert.equal(both.passed, true);
  const shuffled = [...frames].reverse();
  assert.equal(checkLiveness(shuffled, ['turnLeft', 'turnRight']).passed, true);
  // no blink data: asking for a blink is a clear error, not a silent failure
  assert.throws(() => checkLiveness(frames, ['blink']), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => checkLiveness([], ['blink']), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
});
