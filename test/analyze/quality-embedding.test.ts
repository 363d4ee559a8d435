/**
 * The embedding cues of a face's quality (src/analyze/quality-embedding.ts): a weak raw norm or a
 * face the recognizer reads differently mirrored lowers the score and says so; a model with no
 * norm ramp gets no norm cue at all; and embedFaces attaches the refined quality.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMBEDDING_QUALITY, embeddingComponents, refineQuality } from '../../src/analyze/quality-embedding.ts';
import { embedFaces, loadAndFindFaces } from '../../src/pipeline/index.ts';
import { faceCrop } from '../service/photos.ts';

const [normLow, normHigh] = EMBEDDING_QUALITY.norm.fr_feature;
const [mirrorLow, mirrorHigh] = EMBEDDING_QUALITY.mirror;
const good = { score: 0.8, reasons: [] as string[] };

test('a weak raw norm lowers the score and names "weak embedding"; a strong one does not', () => {
  const weak = refineQuality(good, 'fr_feature', { rawNorm: normLow + 0.1 * (normHigh - normLow) });
  const strong = refineQuality(good, 'fr_feature', { rawNorm: normHigh + 1 });
  assert.ok(weak.score < good.score, `weak ${weak.score}`);
  assert.deepEqual(weak.reasons, ['weak embedding']);
  assert.ok(strong.score >= good.score, `strong ${strong.score}`);
  assert.deepEqual(strong.reasons, []);
  assert.equal(refineQuality(good, 'fr_feature', { rawNorm: normLow - 1 }).score, 0, 'a norm at the bottom of the ramp is a zero component');
});

test('a model without a fitted norm ramp has no norm cue: its quality is left as it is', () => {
  assert.deepEqual(embeddingComponents('some_other_model', { rawNorm: 0.01 }), {});
  assert.deepEqual(refineQuality(good, 'some_other_model', { rawNorm: 0.01 }), good);
  // a name that is an Object prototype key is not a model with a ramp either
  assert.deepEqual(embeddingComponents('constructor', { rawNorm: 1 }), {});
});

test('a face unstable under mirroring is named, and the reasons keep the image cues first', () => {
  const q = refineQuality({ score: 0.6, reasons: ['too dark'] }, 'fr_feature', { rawNorm: normHigh + 1, mirrorCosine: mirrorLow + 0.1 * (mirrorHigh - mirrorLow) });
  assert.deepEqual(q.reasons, ['too dark', 'unstable under mirroring']);
  assert.ok(q.score < refineQuality({ score: 0.6, reasons: ['too dark'] }, 'fr_feature', { rawNorm: normHigh + 1, mirrorCosine: 1 }).score);
});

test('embedFaces refines the quality findFaces attached, keeping the record shape', async () => {
  const { image, faces } = await loadAndFindFaces(await faceCrop(0));
  const [e] = await embedFaces(image, [faces[0]]);
  assert.ok(e.quality && e.embedding);
  assert.deepEqual(Object.keys(e.quality).sort(), ['reasons', 'score']);
  // the refined score is the image score combined with the norm component (both in 0..1)
  const c = embeddingComponents('fr_feature', { rawNorm: 3 });
  assert.ok(c.norm !== undefined);
  assert.ok(e.quality.score >= 0 && e.quality.score <= 1);
  const imageOnly = faces[0].quality!.score;
  assert.notEqual(e.quality.score, imageOnly, 'the recognizer output changed the score');
});
