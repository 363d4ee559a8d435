import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { mirror, toModelTensor } from '../../src/image/index.ts';
import type { RgbImage } from '../../src/image/types.ts';
import { ensureBuilt, getModelRecord, loadModel } from '../../src/models/index.ts';
import { optimiseOnnx } from '../../src/models/onnx/optimise.ts';
import { packageFile } from '../../src/models/package-files.ts';
import { extractFaces } from '../../src/pipeline/index.ts';
import { getSession, type ModelSession } from '../../src/runtime/session.ts';

// fr_feature as shipped against the graph facekit runs (src/models/onnx/optimise.ts), on the real
// aligned face crops of a group photo, so the inputs look like what the recognizer sees in use
const record = getModelRecord('fr_feature');
const shippedFile = packageFile(record.source.package, record.source.file);
const PHOTOS = ['sample1.jpg', 'sample2.jpg'].map((f) => `node_modules/@vladmandic/face-api/demo/${f}`);

/** eight real aligned faces: those of two demo photos, then their mirror images */
async function faceCrops(): Promise<RgbImage[]> {
  const crops: RgbImage[] = [];
  for (const p of PHOTOS) for (const f of await extractFaces(p)) crops.push(f.crop!);
  assert.ok(crops.length >= 4, `the demo photos have ${crops.length} faces`);
  return [...crops, ...crops.map(mirror)].slice(0, 8);
}

async function embed(session: ModelSession, crops: RgbImage[]): Promise<Float32Array> {
  const out = await session.run({ [record.input.name]: toModelTensor(crops, record.input) });
  return Object.values(out)[0].data as Float32Array;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the optimised fr_feature has no PRelu left and a symbolic batch', async () => {
  const { path } = await ensureBuilt(record);
  const g = onnxProto.onnx.ModelProto.decode(readFileSync(path)).graph!;
  const shipped = onnxProto.onnx.ModelProto.decode(readFileSync(shippedFile)).graph!;
  assert.equal(shipped.node!.filter((n) => n.opType === 'PRelu').length, 33, 'the shipped file as this test knows it');
  assert.deepEqual(g.node!.filter((n) => n.opType === 'PRelu'), []);
  assert.equal(g.input![0].type!.tensorType!.shape!.dim![0].dimParam, 'batch');
  assert.equal(g.output![0].type!.tensorType!.shape!.dim![0].dimParam, 'batch');
});

test('optimised fr_feature gives the shipped file\'s embeddings on real faces, batched or not', async () => {
  const crops = await faceCrops();
  const shipped = await getSession('fr_feature-as-shipped', async () => shippedFile);
  const { session } = await loadModel('fr_feature');
  const singles: Float32Array[] = [];
  let scale = 0;
  for (const c of crops) {
    const want = await embed(shipped, [c]);
    const got = await embed(session, [c]);
    scale = Math.max(scale, ...want.map(Math.abs));
    assert.ok(maxAbsDiff(want, got) < 2e-5 * Math.max(1, scale), `max abs diff ${maxAbsDiff(want, got)} (largest value ${scale})`);
    singles.push(got);
  }
  const batch = await embed(session, crops);
  assert.equal(batch.length, 8 * 512);
  for (let i = 0; i < 8; i++) {
    const d = maxAbsDiff(batch.subarray(i * 512, (i + 1) * 512), singles[i]);
    assert.ok(d < 1e-5 * Math.max(1, scale), `face ${i}: batch of 8 vs batch of 1 differ by ${d}`);
  }
  // not trivially equal: different faces give different embeddings
  assert.ok(maxAbsDiff(singles[0], singles[1]) > 0.01);
});

test('the rewrite keeps slopes above 1, scalar slopes and PReLU after a residual Add exact (synthetic graph)', async () => {
  const { onnx } = onnxProto;
  const F = onnx.TensorProto.DataType.FLOAT;
  const f32 = (name: string, dims: number[], v: number[]) => ({ name, dataType: F, dims, rawData: new Uint8Array(new Float32Array(v).buffer) });
  const rnd = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k) * 0.5);
  const attrs = (group: number, k: number) => [
    { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: group },
    { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [k, k] },
    { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [k >> 1, k >> 1, k >> 1, k >> 1] },
  ];
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.encode({
    irVersion: 7, opsetImport: [{ version: 11 }],
    graph: {
      name: 'g',
      input: [vi('x', [1, 8, 5, 5])], output: [vi('y', [1, 8, 5, 5])],
      initializer: [
        f32('w1', [8, 1, 3, 3], rnd(72, 1)), f32('b1', [8], rnd(8, 2)), f32('a1', [8, 1, 1], [1.5, -0.4, 0.2, 0, 1, 2, -1, 0.7]),
        f32('w2', [8, 8, 1, 1], rnd(64, 3)), f32('b2', [8], rnd(8, 4)), f32('a2', [1], [0.25]),
        f32('w3', [8, 8, 1, 1], rnd(64, 5)), f32('b3', [8], rnd(8, 6)), f32('a3', [1, 8, 1, 1], [0.1, -0.3, 0.5, 1.2, 0.9, 0, -2, 0.3]),
      ],
      node: [
        { opType: 'Conv', input: ['x', 'w1', 'b1'], output: ['c1'], attribute: attrs(8, 3) },
        { opType: 'PRelu', input: ['c1', 'a1'], output: ['p1'] },
        { opType: 'Conv', input: ['p1', 'w2', 'b2'], output: ['c2'], attribute: attrs(1, 1) },
        { opType: 'PRelu', input: ['c2', 'a2'], output: ['p2'] },
        { opType: 'Conv', input: ['p2', 'w3', 'b3'], output: ['c3'], attribute: attrs(1, 1) },
        { opType: 'Add', input: ['c3', 'p1'], output: ['s3'] },
        { opType: 'PRelu', input: ['s3', 'a3'], output: ['y'] },
      ],
    },
  }).finish();
  const optimised = optimiseOnnx(model);
  assert.deepEqual(onnx.ModelProto.decode(optimised).graph!.node!.filter((n) => n.opType === 'PRelu'), []);
  const x = { data: Float32Array.from({ length: 200 }, (_, i) => Math.cos(i * 0.7) * 3), dims: [1, 8, 5, 5] };
  const [a, b] = await Promise.all([getSession('synthetic-prelu', async () => model), getSession('synthetic-prelu-optimised', async () => optimised)]);
  const want = (await a.run({ x })).y.data as Float32Array;
  const got = (await b.run({ x })).y.data as Float32Array;
  assert.ok(want.some((v) => Math.abs(v) > 0.1));
  assert.ok(maxAbsDiff(want, got) < 1e-5, `max abs diff ${maxAbsDiff(want, got)}`);
  const batched = await b.run({ x: { data: new Float32Array([...x.data, ...x.data]), dims: [2, 8, 5, 5] } });
  assert.deepEqual([...batched.y.dims], [2, 8, 5, 5]);
});
