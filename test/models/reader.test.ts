import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWeight, halfToFloat, readTfjsGraphModel } from '../../src/models/tfjs/read.ts';
import { FacekitError } from '../../src/errors/index.ts';

const bytes = (arr: Uint8Array | Uint16Array | Float32Array | Int32Array) => new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);

test('uint8 affine quantization: value = q * scale + min (float32 and rounded int32)', () => {
  const q = Uint8Array.from([0, 1, 128, 255]);
  const f = decodeWeight({ name: 'w', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -10 } }, q);
  assert.equal(f.dtype, 'float32');
  assert.deepEqual([...f.shape], [2, 2]);
  assert.deepEqual([...f.data], [-10, -9.5, 54, 117.5]);
  const i = decodeWeight({ name: 'i', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: 1 } }, q);
  assert.ok(i.data instanceof Int32Array);
  assert.deepEqual([...i.data], [1, 1, 39, 78]); // 1.3 -> 1, 39.4 -> 39, 77.5 -> 78
});

test('uint16 affine quantization reads little-endian 16-bit codes', () => {
  const q = Uint16Array.from([0, 1, 1000, 65535]);
  const f = decodeWeight({ name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: -1 } }, bytes(q));
  const want = [-1, -0.999, 0, 64.535];
  f.data.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-5, `${k}: ${v} vs ${want[k]}`));
});

test('float16 quantization decodes normal, subnormal, signed and special halves', () => {
  const halves = Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x0400]);
  const f = decodeWeight({ name: 'w', shape: [8], dtype: 'float32', quantization: { dtype: 'float16' } }, bytes(halves));
  assert.deepEqual([...f.data], [1, -2, Math.fround(0.333251953125), 65504, Math.fround(2 ** -24), -0, Infinity, Math.fround(2 ** -14)]);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('plain float32/int32 weights pass through; a wrong byte count is MODEL_SOURCE_CORRUPT naming the weight', () => {
  const f = decodeWeight({ name: 'w', shape: [3], dtype: 'float32' }, bytes(Float32Array.from([1.5, -2, 3])));
  assert.deepEqual([...f.data], [1.5, -2, 3]);
  const i = decodeWeight({ name: 'i', shape: [2], dtype: 'int32' }, bytes(Int32Array.from([7, -7])));
  assert.deepEqual([...i.data], [7, -7]);
  assert.throws(() => decodeWeight({ name: 'short', shape: [4], dtype: 'float32' }, new Uint8Array(12), 'm'),
    (e: unknown) => e instanceof FacekitError && e.code === 'MODEL_SOURCE_CORRUPT' && /short/.test(e.message));
});

test('a model.json whose weights span two shards is read into Const-keyed weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-reader-'));
  const a = bytes(Float32Array.from([1, 2, 3]));
  const b = bytes(Uint16Array.from([0x3c00, 0x4000]));
  const q = Uint8Array.from([0, 2]);
  const all = new Uint8Array([...a, ...b, ...q]);
  // split mid-weight on purpose: shards are a byte stream, not weight boundaries
  writeFileSync(join(dir, 'g1-shard1of2.bin'), all.subarray(0, 7));
  writeFileSync(join(dir, 'g1-shard2of2.bin'), all.subarray(7));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    modelTopology: { node: [{ name: 'a', op: 'Const' }, { name: 'b', op: 'Const' }, { name: 'q', op: 'Const' }] },
    weightsManifest: [{ paths: ['g1-shard1of2.bin', 'g1-shard2of2.bin'], weights: [
      { name: 'a', shape: [3], dtype: 'float32' },
      { name: 'b', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'q', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.25, min: 1 } },
    ] }],
  }));
  const g = readTfjsGraphModel(join(dir, 'model.json'), 'two-shards');
  assert.equal(g.nodes.length, 3);
  assert.deepEqual([...g.weights.get('a')!.data], [1, 2, 3]);
  assert.deepEqual([...g.weights.get('b')!.data], [1, 2]);
  assert.deepEqual([...g.weights.get('q')!.data], [1, 1.5]);
});

test('a missing shard is MODEL_SOURCE_MISSING naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-reader-'));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }));
  assert.throws(() => readTfjsGraphModel(join(dir, 'model.json'), 'x'), (e: unknown) => e instanceof FacekitError && e.code === 'MODEL_SOURCE_MISSING' && /gone\.bin/.test(e.message));
});
