import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { verify } from '../../src/verify/index.ts';
import { embedFaces, embedFacesOfImages, loadAndFindFaces, represent } from '../../src/pipeline/index.ts';
import { roundMeasure } from '../../src/rounding.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { ACCURATE_FUSION, confidence, distance, getCalibration } from '../../src/compare/index.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

// one person's face cut from the group photo, with some context around it
async function personCrop(left: number, top: number, flip = false): Promise<Buffer> {
  let img = sharp(GROUP).extract({ left, top, width: 420, height: 480 });
  if (flip) img = img.flop();
  return img.jpeg({ quality: 85 }).toBuffer();
}

test('same face (mirrored, recompressed) verifies; two different people do not', async () => {
  const a = await personCrop(300, 250);
  const aMirror = await personCrop(300, 250, true);
  const b = await personCrop(720, 300);
  const same = await verify(a, aMirror, { threshold: 0.5 });
  const diff = await verify(a, b, { threshold: 0.5 });
  assert.equal(same.verified, true, `same distance ${same.distance}`);
  assert.equal(diff.verified, false, `different distance ${diff.distance}`);
  assert.ok(same.distance < diff.distance);
  assert.ok(same.confidence > diff.confidence);
  assert.equal(same.faces.length, 2);
  assert.equal(same.faces[0].landmarks5.length, 5);
});

test('a group photo is compared by its largest face and says so', async () => {
  const a = await personCrop(300, 250);
  const r = await verify(GROUP, a, { threshold: 0.5 });
  assert.match(r.note ?? '', /3 faces in the first image; compared the largest/);
});

test('no face in one image is NO_FACE naming which image', async () => {
  const blank = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } }).png().toBuffer();
  const a = await personCrop(300, 250);
  await assert.rejects(verify(a, blank, { threshold: 0.5 }), (e: unknown) => e instanceof FacekitError && e.code === 'NO_FACE' && /second image/.test(e.message));
});

test('represent returns one unit embedding per face in a group photo', async () => {
  const r = await represent(GROUP);
  assert.equal(r.faces.length, 3);
  for (const f of r.faces) {
    const v = f.embedding!.vector;
    assert.ok(Math.abs(v.reduce((s, x) => s + x * x, 0) - 1) < 1e-4);
    assert.equal(f.crop!.width, 112);
  }
});

test('model "fusion" decides on 1 - the mean of its members\' calibrated P(same), with its own calibration', async () => {
  const a = await personCrop(300, 250);
  const aMirror = await personCrop(300, 250, true);
  const b = await personCrop(720, 300);
  for (const [x, y, same] of [[a, aMirror, true], [a, b, false]] as const) {
    const fused = await verify(x, y, { model: 'fusion' });
    assert.equal(fused.model, ACCURATE_FUSION);
    assert.equal(fused.metric, 'fused');
    assert.equal(fused.verified, same);
    const members = await Promise.all(['fr_feature', 'faceapi-recognition'].map(async (model) => {
      const r = await verify(x, y, { model, metric: 'cosine' });
      return confidence(r.distance, getCalibration(model, 'cosine'));
    }));
    const expected = 1 - (members[0] + members[1]) / 2;
    // every distance is reported to 4 decimals, so the members' confidences are taken from rounded ones
    assert.ok(Math.abs(fused.distance - expected) < 1e-3, `fused distance ${fused.distance}, members say ${expected}`);
    const cal = getCalibration(ACCURATE_FUSION, 'fused');
    assert.equal(fused.threshold, roundMeasure(cal.threshold));
    assert.equal(fused.confidence >= 0.5, fused.verified, 'the fusion\'s calibration is anchored at its threshold');
  }
  await assert.rejects(verify(a, b, { model: 'fusion', metric: 'cosine' }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /members' own metrics/.test(e.message));
});

test('verify embeds both faces in one batch with the distances of one call per image', async () => {
  const a = await personCrop(300, 250);
  const b = await personCrop(720, 300);
  const [ra, rb] = await Promise.all([loadAndFindFaces(a), loadAndFindFaces(b)]);
  assert.deepEqual([ra.faces.length, rb.faces.length], [1, 1]);
  // one recognizer call per image, as verify did before
  const [ea] = await embedFaces(ra.image, ra.faces);
  const [eb] = await embedFaces(rb.image, rb.faces);
  const apart = distance(ea.embedding!.vector, eb.embedding!.vector, 'cosine');
  const [ba, bb] = await embedFacesOfImages([{ image: ra.image, face: ra.faces[0] }, { image: rb.image, face: rb.faces[0] }]);
  assert.ok(Math.abs(distance(ba.embedding!.vector, bb.embedding!.vector, 'cosine') - apart) < 1e-6);
  assert.ok(apart > 0.3, `two people at distance ${apart}`);
  const r = await verify(a, b, { threshold: 0.5 });
  assert.equal(r.distance, roundMeasure(apart));
});
