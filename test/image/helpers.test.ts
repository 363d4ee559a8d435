import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { cropBox, drawFaces, resizeImage, toModelTensor, type RgbImage } from '../../src/image/index.ts';
import type { ModelInput } from '../../src/models/types.ts';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, 3 * i);
  return { data, width, height };
}

test('letterbox resize keeps aspect, pads, and maps points back', async () => {
  const img = solid(200, 100, [200, 10, 10]);
  const r = await resizeImage(img, 64, 64, { letterbox: true });
  assert.equal(r.image.width, 64);
  assert.equal(r.scaleX, 64 / 200);
  assert.equal(r.offsetX, 0);
  assert.equal(r.offsetY, 16);
  assert.equal(r.image.data[(5 * 64 + 10) * 3], 0, 'top band is padding');
  assert.equal(r.image.data[(32 * 64 + 10) * 3], 200, 'middle is image');
  // the source point (150, 50) lands at (48, 32) in the model input and maps back exactly
  const [mx, my] = [150 * r.scaleX + r.offsetX, 50 * r.scaleY + r.offsetY];
  assert.deepEqual([(mx - r.offsetX) / r.scaleX, (my - r.offsetY) / r.scaleY], [150, 50]);
  const s = await resizeImage(img, 50, 50);
  assert.equal(s.scaleY, 0.5);
  assert.equal(s.image.data.length, 50 * 50 * 3);
});

test('crop is clamped to the image and padding grows the box', () => {
  const img = solid(100, 80, [1, 2, 3]);
  img.data.set([9, 9, 9], (20 * 100 + 30) * 3);
  const c = cropBox(img, { x: 30, y: 20, w: 10, h: 10 });
  assert.deepEqual(c.box, { x: 30, y: 20, w: 10, h: 10 });
  assert.deepEqual([...c.image.data.subarray(0, 3)], [9, 9, 9]);
  const p = cropBox(img, { x: 30, y: 20, w: 10, h: 10 }, { padding: 0.5 });
  assert.deepEqual(p.box, { x: 25, y: 15, w: 20, h: 20 });
  const edge = cropBox(img, { x: 90, y: -5, w: 20, h: 20 });
  assert.deepEqual(edge.box, { x: 90, y: 0, w: 10, h: 15 });
  assert.throws(() => cropBox(img, { x: 200, y: 200, w: 5, h: 5 }), /outside/);
});

test('toModelTensor applies layout, channel order and normalisation', () => {
  const a = solid(2, 2, [10, 20, 30]);
  const b = solid(2, 2, [255, 0, 128]);
  const nchw: ModelInput = { name: 'x', width: 2, height: 2, layout: 'NCHW', channels: 'BGR', mean: [0, 10, 20], std: [2, 2, 2] };
  const t = toModelTensor([a, b], nchw);
  assert.deepEqual(t.dims, [2, 3, 2, 2]);
  // image 0, channel 0 = B = 30 -> (30-0)/2
  assert.deepEqual([...t.data.subarray(0, 4)], [15, 15, 15, 15]);
  assert.equal(t.data[4], (20 - 10) / 2);
  assert.equal(t.data[8], (10 - 20) / 2);
  assert.equal(t.data[12], 128 / 2, 'second image B');
  const nhwc: ModelInput = { ...nchw, layout: 'NHWC', channels: 'RGB', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };
  const u = toModelTensor(b, nhwc);
  assert.deepEqual(u.dims, [1, 2, 2, 3]);
  assert.deepEqual([...u.data.subarray(0, 3)].map((v) => +v.toFixed(4)), [1, -1, +(0.5 / 127.5).toFixed(4)]);
  assert.throws(() => toModelTensor(solid(3, 2, [0, 0, 0]), nhwc), /expects 2x2/);
});

test('drawFaces returns a PNG of the same size with the box drawn', async () => {
  const img = solid(120, 100, [0, 0, 0]);
  const png = await drawFaces(img, [{ box: { x: 20, y: 20, w: 60, h: 50 }, score: 0.9, landmarks5: [[40, 40], [60, 40], [50, 50], [42, 60], [58, 60]] }], { color: '#ff0000' });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 120);
  assert.equal(info.height, 100);
  const px = (x: number, y: number) => data[(y * 120 + x) * 3];
  assert.ok(px(20, 45) > 150, 'left edge of the box is red');
  assert.ok(px(50, 50) > 150, 'nose landmark dot is red');
  assert.equal(px(5, 95), 0, 'far corner untouched');
});
