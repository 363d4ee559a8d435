import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { analyzeFace, checkSpoof, candidateModels, defaultModel, runAttributeModel } from '../../src/analyze/index.ts';
import { mirror, type RgbImage } from '../../src/image/index.ts';
import type { Face, Point } from '../../src/face.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { SAMPLE1, SAMPLE1_FACE, loadRgb, toRgb } from './helpers.ts';

test('every action that has a default resolves to a model that serves it', () => {
  for (const a of ['age', 'gender', 'emotion', 'spoof', 'pose', 'eye'] as const) {
    const id = defaultModel(a);
    assert.ok(candidateModels(a).includes(id), `${a} -> ${id}`);
  }
});

test('analyzeFace on a smiling face: happy, both eyes open, every result names its model', async () => {
  const img = await loadRgb(SAMPLE1);
  const r = await analyzeFace(img, SAMPLE1_FACE, { actions: ['emotion', 'eye', 'age', 'gender'] });
  assert.equal(r.emotion?.value, 'happy', JSON.stringify(r.emotion));
  assert.equal(r.eye?.value, 'open', JSON.stringify(r.eye));
  assert.ok(typeof r.age?.value === 'number' && r.age.value > 0 && r.age.value < 101);
  assert.ok(r.gender?.value === 'male' || r.gender?.value === 'female');
  for (const v of Object.values(r)) assert.ok(v.model, 'model id present');
});

test('eye model: a face with the eye regions painted over with skin is not "open" with the same confidence', async () => {
  const img = await loadRgb(SAMPLE1);
  const open = (await analyzeFace(img, SAMPLE1_FACE, { actions: ['eye'] })).eye!;
  // cover both eyes with a flat patch of the cheek colour: no pupil, no lid edge
  const covered = await toRgb(sharp(SAMPLE1).composite(SAMPLE1_FACE.landmarks5.slice(0, 2).map(([x, y]) => ({
    input: { create: { width: 44, height: 26, channels: 3, background: { r: 205, g: 160, b: 140 } } }, left: Math.round(x - 22), top: Math.round(y - 13),
  }))));
  const shut = (await analyzeFace(covered, SAMPLE1_FACE, { actions: ['eye'] })).eye!;
  assert.ok(shut.probabilities!.open < open.probabilities!.open, `open ${open.probabilities!.open} vs covered ${shut.probabilities!.open}`);
});

test('checkSpoof: a real photo is real for every spoof model, and the result names the model', async () => {
  const img = await loadRgb(SAMPLE1);
  for (const model of candidateModels('spoof')) {
    const r = await checkSpoof(img, SAMPLE1_FACE, { model });
    assert.equal(r.model, model);
    assert.equal(r.isReal, true, `${model}: score ${r.score}`);
  }
});

test('checkSpoof with the default model', async () => {
  const r = await checkSpoof(await loadRgb(SAMPLE1), SAMPLE1_FACE);
  assert.equal(r.model, defaultModel('spoof'));
  assert.ok(r.score >= 0 && r.score <= 1);
  assert.equal(r.isReal, true, `score ${r.score}`);
});

test('bad requests are FacekitErrors with a code', async () => {
  const img = await loadRgb(SAMPLE1);
  await assert.rejects(analyzeFace(img, SAMPLE1_FACE, { actions: ['height' as never] }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  await assert.rejects(analyzeFace(img, SAMPLE1_FACE, { actions: ['age'], models: { age: 'fr_expression' } }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  await assert.rejects(analyzeFace(img, SAMPLE1_FACE, { actions: ['age'], models: { age: 'nope' } }), (e: unknown) => e instanceof FacekitError && e.code === 'MODEL_NOT_FOUND');
  await assert.rejects(checkSpoof(img, SAMPLE1_FACE, { model: 'fr_age' }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
});

test('the pose model and the five-point estimate agree on the direction of a clear head turn', async () => {
  const img = await loadRgb(SAMPLE1);
  const { estimatePose } = await import('../../src/analyze/index.ts');
  const model = (await analyzeFace(img, SAMPLE1_FACE, { actions: ['pose'] })).pose!.extra!;
  const fivePoint = estimatePose(SAMPLE1_FACE.landmarks5);
  assert.ok(Math.abs(fivePoint.yaw) > 15, 'the sample face is turned');
  assert.equal(Math.sign(model.yaw), Math.sign(fivePoint.yaw), `model ${model.yaw} vs five-point ${fivePoint.yaw}`);
});

test('analyzeFaces fills attributes on copies and keeps the input faces untouched', async () => {
  const img = await loadRgb(SAMPLE1);
  const { analyzeFaces } = await import('../../src/analyze/index.ts');
  const input = [structuredClone(SAMPLE1_FACE)];
  const [out] = await analyzeFaces(img, input, { actions: ['eye'] });
  assert.equal((out.attributes?.eye as { value: string }).value, 'open');
  assert.equal(input[0].attributes, undefined);
});

test('test-time flip: a face and its mirror image get the same answer, which single runs do not', async () => {
  const img = await loadRgb(SAMPLE1);
  const mirrored = mirror(img);
  const { x, w } = SAMPLE1_FACE.box;
  const flipX = ([px, py]: Point): Point => [img.width - 1 - px, py];
  const L = SAMPLE1_FACE.landmarks5.map(flipX);
  const mirroredFace: Face = { ...SAMPLE1_FACE, box: { ...SAMPLE1_FACE.box, x: img.width - x - w }, landmarks5: [L[1], L[0], L[2], L[4], L[3]] };
  // faceres frames the face by its box alone, so the mirrored box cuts the mirrored crop
  const male = async (im: RgbImage, face: Face, testTimeFlip: boolean) => (await runAttributeModel(im, face, 'faceres', { testTimeFlip })).gender!.probabilities!.male;
  const single = Math.abs(await male(img, SAMPLE1_FACE, false) - await male(mirrored, mirroredFace, false));
  const flipped = Math.abs(await male(img, SAMPLE1_FACE, true) - await male(mirrored, mirroredFace, true));
  assert.ok(single > 1e-4, `single runs already agree (${single}): the test cannot tell`);
  assert.ok(flipped < single / 10, `with flip ${flipped}, without ${single}`);
});
