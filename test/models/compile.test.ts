import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { compileTfGraph } from '../../src/models/onnx/compile.ts';
import type { TfAttrValue, TfGraphModel, TfNodeDef, TfTensor } from '../../src/models/tfjs/types.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { maxAbsDiff, pseudoRandom, runOnnx, useBackend } from './tfjs-reference.ts';
import { measureParity } from './parity.ts';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

// Small hand-made graphs in the interchange format (as face-api builders emit them), compiled and
// checked against the same computation done with TF.js ops on its CPU backend.

const s = (v: string): TfAttrValue => ({ s: Buffer.from(v).toString('base64') });
const ints = (v: number[]): TfAttrValue => ({ list: { i: v.map(String) } });
const node = (name: string, op: string, input: string[] = [], attr: Record<string, TfAttrValue> = {}): TfNodeDef => ({ name, op, input, attr });
const f32 = (shape: number[], seed: number): TfTensor => ({ dtype: 'float32', shape, data: pseudoRandom(shape.reduce((a, b) => a * b, 1), seed, -1, 1) });
const i32 = (values: number[]): TfTensor => ({ dtype: 'int32', shape: [values.length], data: Int32Array.from(values) });
const input = (h: number, w: number, c: number) => node('x', 'Placeholder', [], { shape: { shape: { dim: [{ size: '-1' }, { size: String(h) }, { size: String(w) }, { size: String(c) }] } } });

/** conv 3x3 stride 2 SAME on 6x6: TF pads 0 before and 1 after, so padding placement matters */
function strideTwoSameConv(): TfGraphModel {
  const weights = new Map<string, TfTensor>([['w', f32([3, 3, 2, 4], 1)], ['b', f32([4], 2)]]);
  return {
    name: 'tiny-conv',
    nodes: [input(6, 6, 2), node('w', 'Const'), node('b', 'Const'),
      node('conv', '_FusedConv2D', ['x', 'w', 'b'], { strides: ints([1, 2, 2, 1]), padding: s('SAME'), fused_ops: { list: { s: ['BiasAdd', 'Relu'].map((v) => Buffer.from(v).toString('base64')) } }, num_args: { i: '1' } })],
    weights,
  };
}

function tfValue(t: TfTensor): tf.Tensor {
  return tf.tensor(t.data as Float32Array, t.shape);
}

test('stride-2 SAME conv matches TF.js, and SAME padding put at the start is caught', async () => {
  await useBackend('cpu');
  const g = strideTwoSameConv();
  const x = pseudoRandom(3 * 6 * 6 * 2, 9, -1, 1);
  const want = tf.tidy(() => tf.relu(tf.add(tf.conv2d(tf.tensor4d(x, [3, 6, 6, 2]), tfValue(g.weights.get('w')!) as tf.Tensor4D, 2, 'same'), tfValue(g.weights.get('b')!))).dataSync() as Float32Array);
  const good = await runOnnx(compileTfGraph(g), 'x', x, [3, 6, 6, 2]);
  assert.deepEqual([...good.conv.dims], [3, 3, 3, 4]);
  assert.ok(maxAbsDiff(good.conv.data, want) < 1e-5, `correct padding differs by ${maxAbsDiff(good.conv.data, want)}`);
  const bad = await runOnnx(compileTfGraph(g, { samePaddingExtraAtStart: true }), 'x', x, [3, 6, 6, 2]);
  assert.ok(maxAbsDiff(bad.conv.data, want) > 1e-2, 'misplaced SAME padding went unnoticed');
});

test('the model parity check catches misplaced SAME padding in a real model (blazeface-front)', async () => {
  const res = await measureParity('blazeface-front', { samePaddingExtraAtStart: true });
  const worst = Math.max(...res.map((r) => r.maxDiff / Math.max(r.scale, 1e-3)));
  assert.ok(worst > 1e-3, `relative error ${worst} would have passed the 1e-3 parity tolerance`);
});

test('builder-style ops (pools, depthwise, BiasAdd, Relu6, Pad, Mean, MatMul, Concat, Reshape with batch 1) match TF.js', async () => {
  await useBackend('cpu');
  const weights = new Map<string, TfTensor>([
    ['dw', f32([3, 3, 3, 2], 3)], ['bias', f32([6], 4)], ['mean', f32([3], 5)], ['scale', f32([3], 6)],
    ['axes', i32([1, 2])], ['fc', f32([12, 5], 7)], ['fcb', f32([5], 8)], ['axis', i32([-1])], ['shape', i32([1, 3, 4])],
    ['pads', { dtype: 'int32', shape: [4, 2], data: Int32Array.from([0, 0, 1, 2, 2, 1, 0, 0]) }],
  ]);
  const nodes: TfNodeDef[] = [
    input(7, 9, 3), ...[...weights.keys()].map((k) => node(k, 'Const')),
    node('sub', 'Sub', ['x', 'mean']), node('mul', 'Mul', ['sub', 'scale']),
    node('pad', 'Pad', ['mul', 'pads']),
    node('dwc', 'DepthwiseConv2dNative', ['pad', 'dw'], { strides: ints([1, 2, 2, 1]), padding: s('SAME') }),
    node('ba', 'BiasAdd', ['dwc', 'bias']), node('r6', 'Relu6', ['ba']),
    node('mp', 'MaxPool', ['r6'], { ksize: ints([1, 3, 3, 1]), strides: ints([1, 2, 2, 1]), padding: s('SAME') }),
    node('ap', 'AvgPool', ['r6'], { ksize: ints([1, 3, 3, 1]), strides: ints([1, 2, 2, 1]), padding: s('SAME') }),
    node('cat', 'ConcatV2', ['mp', 'ap', 'axis']),
    node('gap', 'Mean', ['cat', 'axes'], { keep_dims: { b: false } }),
    node('fcm', 'MatMul', ['gap', 'fc']), node('fco', 'BiasAdd', ['fcm', 'fcb']),
    node('flat', 'Reshape', ['gap', 'shape']),
  ];
  const g: TfGraphModel = { name: 'tiny-builder', nodes, weights };
  const n = 3;
  const x = pseudoRandom(n * 7 * 9 * 3, 11, 0, 1);
  const w = (k: string) => tfValue(weights.get(k)!);
  const [fco, flat] = tf.tidy(() => {
    const norm = tf.mul(tf.sub(tf.tensor4d(x, [n, 7, 9, 3]), w('mean')), w('scale'));
    const padded = tf.pad(norm as tf.Tensor4D, [[0, 0], [1, 2], [2, 1], [0, 0]]);
    const r6 = tf.relu6(tf.add(tf.depthwiseConv2d(padded, w('dw') as tf.Tensor4D, 2, 'same'), w('bias'))) as tf.Tensor4D;
    const cat = tf.concat([tf.maxPool(r6, 3, 2, 'same'), tf.avgPool(r6, 3, 2, 'same')], -1);
    const gap = tf.mean(cat, [1, 2]);
    return [tf.add(tf.matMul(gap as tf.Tensor2D, w('fc') as tf.Tensor2D), w('fcb')).dataSync(), tf.reshape(gap, [n, 3, 4]).dataSync()];
  });
  const out = await runOnnx(compileTfGraph(g), 'x', x, [n, 7, 9, 3]);
  assert.deepEqual([...out.fco.dims], [n, 5]);
  assert.deepEqual([...out.flat.dims], [n, 3, 4], 'a hard-coded batch of 1 in Reshape follows the real batch');
  assert.ok(maxAbsDiff(out.fco.data, fco) < 1e-5, `fco differs by ${maxAbsDiff(out.fco.data, fco)}`);
  assert.ok(maxAbsDiff(out.flat.data, flat) < 1e-5, `flat differs by ${maxAbsDiff(out.flat.data, flat)}`);
});

test('an op the compiler does not know is UNSUPPORTED_OP naming op, node and model', () => {
  const g: TfGraphModel = { name: 'tiny-unknown', nodes: [input(4, 4, 1), node('weird', 'Conv3D', ['x', 'x'])], weights: new Map() };
  assert.throws(() => compileTfGraph(g), (e: unknown) => e instanceof FacekitError && e.code === 'UNSUPPORTED_OP' && /Conv3D/.test(e.message) && /weird/.test(e.message) && /tiny-unknown/.test(e.message));
});

test('cutting at a node that does not exist is a clear error', () => {
  assert.throws(() => compileTfGraph(strideTwoSameConv(), { outputs: ['nope'] }), (e: unknown) => e instanceof FacekitError && /nope/.test(e.message));
});

test('PReLU and ReLU6 spelled as elementwise chains compile to single ops with the same values', async () => {
  await useBackend('cpu');
  const weights = new Map<string, TfTensor>([['c', f32([3], 21)], ['g', f32([3], 22)], ['zero', { dtype: 'float32', shape: [], data: Float32Array.from([0]) }], ['six', { dtype: 'float32', shape: [], data: Float32Array.from([6]) }]]);
  const nodes: TfNodeDef[] = [
    input(2, 2, 3), ...[...weights.keys()].map((k) => node(k, 'Const')),
    // relu(x) + c * (x - |x|)
    node('relu', 'Relu', ['x']), node('abs', 'Abs', ['x']), node('sub', 'Sub', ['x', 'abs']), node('mul', 'Mul', ['sub', 'c']), node('prelu1', 'AddV2', ['relu', 'mul']),
    // max(0, y) + g * min(0, y)
    node('mx', 'Maximum', ['zero', 'prelu1']), node('mn', 'Minimum', ['zero', 'prelu1']), node('gm', 'Mul', ['g', 'mn']), node('prelu2', 'AddV2', ['mx', 'gm']),
    // max(min(relu(z), 6), 0)
    node('r', 'Relu', ['prelu2']), node('m6', 'Minimum', ['r', 'six']), node('out', 'Maximum', ['m6', 'zero']),
  ];
  const g: TfGraphModel = { name: 'tiny-prelu', nodes, weights };
  const x = pseudoRandom(2 * 2 * 2 * 3, 5, -8, 8);
  const c = tfValue(weights.get('c')!);
  const gamma = tfValue(weights.get('g')!);
  const want = tf.tidy(() => {
    const t = tf.tensor4d(x, [2, 2, 2, 3]);
    const p1 = tf.add(tf.relu(t), tf.mul(tf.sub(t, tf.abs(t)), c));
    const p2 = tf.add(tf.maximum(0, p1), tf.mul(gamma, tf.minimum(0, p1)));
    return tf.relu6(p2).dataSync() as Float32Array;
  });
  const fused = compileTfGraph(g);
  const plain = compileTfGraph(g, { fusePatterns: false });
  const got = await runOnnx(fused, 'x', x, [2, 2, 2, 3]);
  assert.ok(maxAbsDiff(got.out.data, want) < 1e-5, `fused chain differs by ${maxAbsDiff(got.out.data, want)}`);
  const ops = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
  assert.equal(ops(fused).filter((o) => o === 'PRelu').length, 2);
  assert.ok(!ops(fused).includes('Abs') && ops(plain).includes('Abs'));
  assert.ok(ops(fused).includes('Clip'));
  assert.deepEqual(Object.keys(got), ['out'], 'bypassed chains must not become graph outputs');
});
