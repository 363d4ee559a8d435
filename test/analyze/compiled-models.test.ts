import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFace } from '../../src/analyze/index.ts';
import { loadImage } from '../../src/image/index.ts';
import { findFaces } from '../../src/pipeline/index.ts';
import { SAMPLE1 } from './helpers.ts';

// sample1.jpg shows three young women, all smiling
test('compiled face-api and GEAR decoders read sample1 right: women, adult ages, the race decoder a distribution', async () => {
  const img = await loadImage(SAMPLE1);
  const faces = await findFaces(img);
  assert.equal(faces.length, 3);
  for (const face of faces) {
    const fa = await analyzeFace(img, face, { actions: ['age', 'gender'], models: { age: 'faceapi-age-gender', gender: 'faceapi-age-gender' } });
    assert.equal(fa.gender?.value, 'female', JSON.stringify(fa.gender));
    assert.ok(Number(fa.age?.value) > 15 && Number(fa.age?.value) < 45, JSON.stringify(fa.age));
    const gear = await analyzeFace(img, face, { actions: ['age', 'race'], models: { age: 'gear', race: 'gear' } });
    assert.ok(Number(gear.age?.value) > 10 && Number(gear.age?.value) < 50 && gear.age!.spread! >= 0, JSON.stringify(gear.age));
    const total = Object.values(gear.race!.probabilities!).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-3, `race probabilities sum to ${total}`);
  }
});
