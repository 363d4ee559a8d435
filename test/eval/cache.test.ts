import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmbeddingCache, CACHE_FILE, PIPELINE_REVISION, sha256File, embedImages, configKey, scorePairs, metricScorer, fusionPairScorer, evaluateVerification, type EmbeddingMap,
} from '../../src/eval/index.ts';
import { fallbackCalibration, meanProbabilityFusion } from '../../src/compare/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { packageVersion } from '../../src/version.ts';

test('embeddings are cached by image bytes + configuration, no-face included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-cache-'));
  try {
    const imgs = ['a', 'b', 'c', 'd'].map((n) => join(dir, `${n}.jpg`));
    imgs.forEach((p, i) => writeFileSync(p, `image-${i}`));
    writeFileSync(imgs[3], 'image-0'); // same bytes as a: same cache entry
    let calls = 0;
    const embed = async (p: string) => {
      calls++;
      if (p.endsWith('c.jpg')) throw new FacekitError('NO_FACE', 'none');
      return Float32Array.from([p.length, calls, Math.PI]);
    };
    const cfg = configKey({ model: 'm', detector: 'd', align: true });
    assert.equal(cfg, configKey({ align: true, detector: 'd', model: 'm' }));
    const cache = EmbeddingCache.open(join(dir, 'cache'));
    const progress: [number, number][] = [];
    const first = await embedImages([...imgs, imgs[0]], embed, { cache, config: cfg, onProgress: (d, t) => progress.push([d, t]) });
    assert.equal(calls, 3, 'd has the bytes of a');
    assert.deepEqual(progress, [[0, 4], [1, 4], [2, 4], [3, 4], [4, 4]]);
    assert.equal(first.get(imgs[2]), null);
    assert.deepEqual(first.get(imgs[3]), first.get(imgs[0]));

    // reopened from disk (with a torn last line from an interrupted run): nothing recomputed
    appendFileSync(cache.file, '{"sha":"ab');
    const again = await embedImages(imgs, embed, { cache: EmbeddingCache.open(join(dir, 'cache')), config: cfg });
    assert.equal(calls, 3);
    assert.deepEqual([...again.get(imgs[1])!], [...first.get(imgs[1])!]);
    assert.equal(again.get(imgs[2]), null);

    // another configuration is another entry
    await embedImages([imgs[0]], embed, { cache, config: configKey({ model: 'other' }) });
    assert.equal(calls, 4);
    await assert.rejects(embedImages(imgs, embed, { cache }), FacekitError);
    await assert.rejects(embedImages(imgs, async () => { throw new Error('bug'); }), /bug/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the cache file is named for the facekit version and pipeline revision: another version\'s entries are not read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-cache-'));
  try {
    const img = join(dir, 'a.jpg');
    writeFileSync(img, 'image-a');
    assert.match(CACHE_FILE, new RegExp(`^embeddings-${packageVersion().replace(/\./g, '\\.')}-r${PIPELINE_REVISION}\\.jsonl$`));
    // an entry another version (or the unversioned file of before) holds for these bytes and configuration
    const cfg = configKey({ model: 'm' });
    writeFileSync(join(dir, 'embeddings.jsonl'), `${JSON.stringify({ sha: sha256File(img), cfg, e: null })}\n`);
    const cache = EmbeddingCache.open(dir);
    assert.equal(cache.get(sha256File(img), cfg), undefined);
    let calls = 0;
    await embedImages([img], async () => { calls++; return Float32Array.of(1); }, { cache, config: cfg });
    assert.equal(calls, 1, 'recomputed, not read from the other file');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('pairs are scored by metric or by fusion, missing faces become null', () => {
  const emb: EmbeddingMap = new Map([['x', Float32Array.from([1, 0])], ['y', Float32Array.from([0, 1])], ['z', null]]);
  const list = { root: '/', pairs: [{ img1: 'x', img2: 'y', same: false }, { img1: 'x', img2: 'z', same: true }, { img1: 'x', img2: 'x', same: true }] };
  const scored = scorePairs(list, metricScorer(emb, 'cosine'));
  assert.deepEqual(scored.map((p) => p.distance), [1, null, 0]);
  assert.throws(() => scorePairs({ root: '/', pairs: [{ img1: 'x', img2: 'w', same: true }] }, metricScorer(emb, 'cosine')), /w/);
  const fusion = meanProbabilityFusion([fallbackCalibration('m1', 'cosine', 0.5), fallbackCalibration('m2', 'euclidean', 1)]);
  const fused = scorePairs(list, fusionPairScorer([emb, emb], fusion));
  assert.equal(fused[1].distance, null);
  assert.ok(fused[0].distance! > fused[2].distance!);
  // and a fusion runs through the protocol like a model
  const many = Array.from({ length: 20 }, (_, k) => ({ ...fused[k % 2 === 0 ? 0 : 2], same: k % 2 === 1 }));
  assert.equal(evaluateVerification(many).accuracyMean, 1);
});
