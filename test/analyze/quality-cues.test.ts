/**
 * The quality score through the real pipeline (detector, landmarks, quality): a degraded copy of a
 * photo scores lower than the photo, and says why. Photos: face-api's sample1.jpg (an npm package's
 * demo image), never the evaluation data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { loadAndFindFaces } from '../../src/pipeline/index.ts';
import type { QualitySummary } from '../../src/face.ts';
import { summarizeFace } from '../../src/face.ts';
import { faceCrop } from '../service/photos.ts';

async function quality(photo: Buffer): Promise<QualitySummary> {
  const { faces } = await loadAndFindFaces(photo);
  assert.ok(faces.length > 0, 'a face is found');
  const face = faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
  assert.ok(face.quality, 'findFaces attaches quality');
  return face.quality;
}

/** The photo with one half squeezed to an eighth of its width: the nose lands near one eye, as when the head turns. */
async function turned(photo: Buffer, squeeze: 'left' | 'right'): Promise<Buffer> {
  const { width: w, height: h } = await sharp(photo).metadata();
  const half = Math.round(w! / 2);
  const narrow = Math.round(w! / 8);
  const keep = await sharp(photo).extract({ left: squeeze === 'right' ? 0 : half, top: 0, width: w! - half, height: h! }).toBuffer();
  const squeezed = await sharp(photo).extract({ left: squeeze === 'right' ? half : 0, top: 0, width: squeeze === 'right' ? w! - half : half, height: h! }).resize(narrow, h!, { fit: 'fill' }).toBuffer();
  const parts = squeeze === 'right'
    ? [{ input: keep, left: 0, top: 0 }, { input: squeezed, left: w! - half, top: 0 }]
    : [{ input: squeezed, left: 0, top: 0 }, { input: keep, left: narrow, top: 0 }];
  return sharp({ create: { width: w! - half + narrow, height: h!, channels: 3, background: '#000' } }).composite(parts).jpeg({ quality: 92 }).toBuffer();
}

test('every found face carries quality, and the face record shows it (score 0-1, reasons)', async () => {
  const { faces } = await loadAndFindFaces(await faceCrop(2));
  const shown = summarizeFace(faces[0]);
  assert.ok(shown.quality && shown.quality.score > 0 && shown.quality.score <= 1, JSON.stringify(shown.quality));
  assert.ok(Array.isArray(shown.quality.reasons));
});

test('a blurred, a darkened and a cropped copy score lower than the photo, naming the cue', async () => {
  const photo = await faceCrop(0);
  const source = await quality(photo);
  const blurred = await quality(await sharp(photo).blur(5).jpeg().toBuffer());
  const dark = await quality(await sharp(photo).linear(0.15, 0).jpeg().toBuffer());
  const { width, height } = await sharp(photo).metadata();
  const cropped = await quality(await sharp(photo).extract({ left: 0, top: 0, width: Math.round(width! / 2), height: height! }).jpeg().toBuffer());
  assert.ok(blurred.score < source.score, `blurred ${blurred.score} vs ${source.score}`);
  assert.ok(blurred.reasons.includes('blurred'), blurred.reasons.join());
  assert.ok(dark.score < source.score, `dark ${dark.score} vs ${source.score}`);
  assert.ok(dark.reasons.includes('too dark'), dark.reasons.join());
  assert.ok(cropped.score < source.score, `cropped ${cropped.score} vs ${source.score}`);
  assert.ok(cropped.reasons.includes('face cut off by the frame'), cropped.reasons.join());
});

test('a copy turned towards profile scores lower than the photo, and so does its mirror image', async () => {
  const photo = await faceCrop(2);
  const source = await quality(photo);
  const profile = await quality(await turned(photo, 'right'));
  const mirrored = await quality(await turned(await sharp(photo).flop().jpeg({ quality: 92 }).toBuffer(), 'left'));
  for (const [name, q] of [['profile', profile], ['mirrored profile', mirrored]] as const) {
    assert.ok(q.score < source.score, `${name} ${q.score} vs ${source.score}`);
    assert.ok(q.reasons.includes('profile'), `${name}: ${q.reasons.join()}`);
  }
});

test('a small sharp photo (orl-sized) is not read as blurred; the same small photo blurred is', async () => {
  // a face photo at 92x112, as orl's are: the face box is well under the 128 px the blur cue
  // once resampled it to, and upsampling smoothed it into "blurred"
  const small = await sharp(await faceCrop(0)).resize(92, 112, { fit: 'cover' }).jpeg({ quality: 95 }).toBuffer();
  const sharpSmall = await quality(small);
  const blurredSmall = await quality(await sharp(small).blur(2).jpeg({ quality: 95 }).toBuffer());
  assert.ok(!sharpSmall.reasons.includes('blurred'), `small sharp photo: ${sharpSmall.score} ${sharpSmall.reasons.join()}`);
  assert.ok(blurredSmall.reasons.includes('blurred'), `small blurred photo: ${blurredSmall.score} ${blurredSmall.reasons.join()}`);
  assert.ok(blurredSmall.score < sharpSmall.score);
});
