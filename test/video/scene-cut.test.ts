import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lumaGrid, SceneCutDetector } from '../../src/video/scene-cut.ts';
import type { RgbImage } from '../../src/image/types.ts';

/** a 1280x720 frame: horizontal gradient shifted by `shift` px, or its mirror image */
function frame(shift: number, mirror = false): RgbImage {
  const W = 1280;
  const H = 720;
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = Math.round((((mirror ? W - 1 - x : x) + shift) % W) * (255 / W));
      data.set([v, v, v], 3 * (y * W + x));
    }
  }
  return { data, width: W, height: H };
}

test('lumaGrid gives block mean luma', () => {
  const W = 64;
  const H = 36;
  const data = new Uint8Array(W * H * 3);
  // left half red (luma ~76), right half white (255)
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(x < W / 2 ? [255, 0, 0] : [255, 255, 255], 3 * (y * W + x));
  const g = lumaGrid({ data, width: W, height: H });
  assert.equal(g.length, 32 * 18);
  assert.ok(Math.abs(g[0] - 76) <= 1, `left block ${g[0]}`);
  assert.ok(Math.abs(g[31] - 255) <= 1, `right block ${g[31]}`);
});

test('a small pan is not a cut, a different picture is', () => {
  const d = new SceneCutDetector(20);
  assert.equal(d.check(frame(0)), false);
  assert.equal(d.check(frame(8)), false);
  assert.equal(d.check(frame(8, true)), true);
});
