import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelIndex, distance } from '../../src/gallery/index.ts';
import { near, rng, unitVector } from './helpers.ts';

const D = 64;

function population(n: number, seed: number) {
  const r = rng(seed);
  const centres = Array.from({ length: n / 4 }, () => unitVector(D, r));
  const entries = Array.from({ length: n }, (_, i) => ({ faceId: `f${i}`, personId: `p${i % centres.length}`, vector: near(centres[i % centres.length], 0.5, r) }));
  const queries = Array.from({ length: 100 }, (_, i) => near(centres[(i * 7) % centres.length], 0.5, r));
  return { entries, queries };
}

test('exact and HNSW agree on a small set: same top-1 face, same distances', () => {
  const { entries, queries } = population(2000, 1);
  const exact = new ModelIndex('m', D, { mode: 'exact' });
  const hnsw = new ModelIndex('m', D, { mode: 'hnsw' });
  exact.add(entries);
  hnsw.add(entries);
  assert.equal(exact.usingHnsw, false);
  assert.equal(hnsw.usingHnsw, true);
  let agree = 0;
  for (const q of queries) {
    const e = exact.search(q, 5);
    const h = hnsw.search(q, 5);
    if (e[0].faceId === h[0].faceId) {
      agree++;
      assert.equal(h[0].distance, e[0].distance, 'the same face gets the same (float32 re-ranked) distance');
    }
    // the reported distance is the true one
    const v = entries[Number(e[0].faceId.slice(1))].vector;
    assert.ok(Math.abs(e[0].distance - distance('cos', q, v)) < 1e-6);
  }
  assert.ok(agree >= 99, `top-1 agreement ${agree}/100`);
});

test('a query that is a view into a larger buffer is searched as itself', () => {
  const { entries } = population(200, 4);
  const packed = new Float32Array(3 * D);
  [5, 77, 150].forEach((i, k) => packed.set(entries[i].vector, k * D));
  for (const mode of ['exact', 'hnsw'] as const) {
    const idx = new ModelIndex('m', D, { mode });
    idx.add(entries);
    [5, 77, 150].forEach((i, k) => assert.equal(idx.search(packed.subarray(k * D, (k + 1) * D), 1)[0].faceId, `f${i}`, mode));
  }
});

test('exact search orders by true distance for every metric', () => {
  const { entries, queries } = population(400, 2);
  const idx = new ModelIndex('m', D, { mode: 'exact' });
  idx.add(entries);
  for (const metric of ['cos', 'l2sq', 'ip'] as const) {
    const q = queries[0];
    const brute = entries.map((e) => ({ id: e.faceId, d: distance(metric, q, e.vector) })).sort((a, b) => a.d - b.d);
    assert.deepEqual(idx.search(q, 3, { metric }).map((h) => h.faceId), brute.slice(0, 3).map((b) => b.id), metric);
  }
});

test('the index follows adds and removes in both modes, and auto switches to HNSW at the threshold', () => {
  const { entries, queries } = population(400, 3);
  for (const mode of ['exact', 'hnsw'] as const) {
    const idx = new ModelIndex('m', D, { mode });
    idx.add(entries);
    const first = idx.search(queries[0], 1)[0].faceId;
    assert.equal(idx.remove(first), true);
    assert.notEqual(idx.search(queries[0], 1)[0].faceId, first, `${mode}: a removed face is not returned`);
    assert.equal(idx.size, entries.length - 1);
    idx.add([{ faceId: 'new', personId: 'pn', vector: queries[0] }]);
    assert.equal(idx.search(queries[0], 1)[0].faceId, 'new', `${mode}: an added face is returned`);
    // every remaining face is still found by its own vector (row bookkeeping after swap-removal)
    for (const e of entries.slice(0, 50)) if (e.faceId !== first) assert.equal(idx.search(e.vector, 1)[0].faceId, e.faceId);
  }
  const auto = new ModelIndex('m', D, { mode: 'auto', exactThreshold: 300 });
  auto.add(entries.slice(0, 299));
  assert.equal(auto.usingHnsw, false);
  auto.add(entries.slice(299));
  assert.equal(auto.usingHnsw, true);
  assert.throws(() => auto.search(new Float32Array(D + 1), 1), /dimensions/);
});
