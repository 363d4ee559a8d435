import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { embedCrops, embedCropsDetailed } from '../../src/embed/index.ts';
import { mirror } from '../../src/image/index.ts';
import type { RgbImage } from '../../src/image/types.ts';

const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

async function crop(left: number, top: number, size: number): Promise<RgbImage> {
  const { data, info } = await sharp(SAMPLE).extract({ left, top, width: size, height: size }).resize(112, 112).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

test('embeddings are unit vectors of the model size, and batching does not change them', async () => {
  const a = await crop(380, 300, 240);
  const b = await crop(800, 330, 240);
  const [ea, eb] = await embedCrops([a, b]);
  const [ea1] = await embedCrops([a]);
  assert.equal(ea.length, 512);
  assert.ok(Math.abs(dot(ea, ea) - 1) < 1e-5);
  for (let i = 0; i < 512; i++) assert.ok(Math.abs(ea[i] - ea1[i]) < 1e-5);
  assert.ok(dot(ea, eb) < 0.999, 'different crops give different embeddings');
});

test('a crop and its mirror embed close together; flip-averaging is symmetric under mirroring', async () => {
  const a = await crop(380, 300, 240);
  const [e, em] = await embedCrops([a, mirror(a)]);
  const [f] = await embedCrops([a], { flip: true });
  const [fm] = await embedCrops([mirror(a)], { flip: true });
  assert.ok(dot(e, em) > 0.5, `mirror similarity ${dot(e, em)}`);
  assert.ok(dot(f, fm) > 0.9999, 'flip-averaged embedding of an image equals that of its mirror');
});

test('a model that is not a recognition model is refused by name', async () => {
  const a = await crop(380, 300, 240);
  await assert.rejects(embedCrops([a], { model: 'fr_detect' }), /fr_detect is a detect model/);
});

test('mobilefacenet (its conversion repaired by its record) embeds a crop nearer its mirror than another face', async () => {
  const a = await crop(380, 300, 240);
  const b = await crop(800, 330, 240);
  const [ea, em, eb] = await embedCrops([a, mirror(a), b], { model: 'mobilefacenet' });
  assert.equal(ea.length, 192);
  assert.ok(dot(ea, em) > dot(ea, eb) + 0.2, `mirror ${dot(ea, em)} vs other face ${dot(ea, eb)}`);
});

test('embedCropsDetailed gives the raw norm before normalisation, and the mirror agreement with flip', async () => {
  const a = await crop(380, 300, 240);
  const [d] = await embedCropsDetailed([a]);
  const [e] = await embedCrops([a]);
  const [em] = await embedCrops([mirror(a)]);
  assert.ok(d.rawNorm > 0 && Math.abs(d.rawNorm - 1) > 0.05, `fr_feature's output is not normalised: norm ${d.rawNorm}`);
  for (let i = 0; i < 512; i++) assert.ok(Math.abs(d.vector[i] - e[i]) < 1e-6);
  assert.equal(d.mirrorCosine, undefined, 'no mirror agreement without flip');
  const [f] = await embedCropsDetailed([a], { flip: true });
  assert.ok(Math.abs(f.mirrorCosine! - dot(e, em)) < 1e-5, `${f.mirrorCosine} vs ${dot(e, em)}`);
  assert.ok(Math.abs(f.rawNorm - d.rawNorm) < 1e-4, 'the raw norm is the unmirrored crop\'s');
});
