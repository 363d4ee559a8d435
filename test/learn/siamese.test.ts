import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCpuBackend } from '../../src/learn/backend.ts';
import { trainSiameseHead } from '../../src/learn/siamese.ts';
import { splitIdentities } from '../../src/learn/split.ts';
import { PkBatchSampler } from '../../src/learn/sampler.ts';
import { createRng } from '../../src/learn/random.ts';

await useCpuBackend();

test('the Siamese binary head learns a separable toy problem (accuracy 1.0 on all pairs)', async () => {
  // identities at distinct corners of a square in 4 dims, plus 12 dims of pure noise: a plain L1
  // threshold (the head's starting point) confuses them; weights that ignore the noise do not
  const rng = createRng(4);
  const embeddings: Float32Array[] = [];
  const labels: number[] = [];
  const corners = [0b0000, 0b0011, 0b0101, 0b1001, 0b0110, 0b1111];
  corners.forEach((c, id) => {
    for (let k = 0; k < 6; k++) {
      embeddings.push(Float32Array.from({ length: 16 }, (_, d) => (d < 4 ? ((c >> d) & 1 ? 1 : -1) + 0.05 * rng.normal() : 1.5 * rng.normal())));
      labels.push(id);
    }
  });
  const a: Float32Array[] = [];
  const b: Float32Array[] = [];
  const same: boolean[] = [];
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      a.push(embeddings[i]);
      b.push(embeddings[j]);
      same.push(labels[i] === labels[j]);
    }
  }
  const accuracy = (p: Float32Array) => same.filter((s, k) => (p[k] > 0.5) === s).length / same.length;
  const untrained = await trainSiameseHead({ embeddings, labels, steps: 0, batch: { P: 4, K: 3 }, lr: 0.05, seed: 1 });
  assert.ok(accuracy(untrained.head.predict(a, b)) < 0.95, 'the toy problem must not be solved at initialisation');
  const { head } = await trainSiameseHead({ embeddings, labels, steps: 500, batch: { P: 6, K: 3 }, lr: 0.05, seed: 1 });
  assert.equal(accuracy(head.predict(a, b)), 1);
});

test('identity split is disjoint, covers every image and repeats from its seed', () => {
  const labels = Array.from({ length: 100 }, (_, i) => i % 20);
  const s = splitIdentities(labels, 0.3, 9);
  assert.equal(s.holdoutIdentities.length, 6);
  assert.equal(s.trainIdentities.length, 14);
  assert.ok(s.holdoutIdentities.every((id) => !s.trainIdentities.includes(id)));
  assert.equal(s.train.length + s.holdout.length, 100);
  assert.ok(s.holdout.every((i) => s.holdoutIdentities.includes(labels[i])));
  assert.deepEqual(splitIdentities(labels, 0.3, 9), s);
  assert.notDeepEqual(splitIdentities(labels, 0.3, 10).holdoutIdentities, s.holdoutIdentities);
});

test('PK batches hold P identities with K images each', () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];
  const sampler = new PkBatchSampler(labels, { P: 3, K: 2 }, 5);
  for (let n = 0; n < 10; n++) {
    const idx = sampler.next();
    assert.equal(idx.length, 6);
    const ids = idx.map((i) => labels[i]);
    for (let p = 0; p < 3; p++) assert.equal(ids[2 * p], ids[2 * p + 1]);
    assert.equal(new Set(ids).size, 3);
    assert.ok(!ids.includes(3), 'an identity with one image cannot give a positive');
  }
});
