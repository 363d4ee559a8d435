import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cosineDistance, euclideanDistance, euclideanL2Distance, l2Normalize, distance, batchDistances, matrixFor, toMatrix, METRICS,
} from '../../src/compare/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { mulberry32, gaussian } from '../../src/eval/prng.ts';

const f = (...xs: number[]) => Float32Array.from(xs);

test('distances on hand-computed vectors', () => {
  // a=(1,0), b=(0,2): orthogonal, so cosine distance 1, euclidean sqrt(5), unit-vector euclidean sqrt(2)
  assert.ok(Math.abs(cosineDistance(f(1, 0), f(0, 2)) - 1) < 1e-12);
  assert.ok(Math.abs(euclideanDistance(f(1, 0), f(0, 2)) - Math.sqrt(5)) < 1e-12);
  assert.ok(Math.abs(euclideanL2Distance(f(1, 0), f(0, 2)) - Math.SQRT2) < 1e-12);
  // opposite directions: cosine 2, euclidean_l2 2
  assert.ok(Math.abs(cosineDistance(f(3, 4), f(-6, -8)) - 2) < 1e-9);
  assert.ok(Math.abs(euclideanL2Distance(f(3, 4), f(-6, -8)) - 2) < 1e-6);
  // same direction, different length: 0 for the scale-free metrics, not for euclidean
  assert.ok(cosineDistance(f(3, 4), f(6, 8)) < 1e-7);
  assert.equal(euclideanDistance(f(3, 4), f(6, 8)), 5);
  // 60 degrees apart: cos = 0.5
  assert.ok(Math.abs(cosineDistance(f(1, 0), f(0.5, Math.sqrt(3) / 2)) - 0.5) < 1e-6);
});

test('l2Normalize gives unit length and leaves zero vectors zero', () => {
  const n = l2Normalize(f(3, 4));
  assert.ok(Math.abs(n[0] - 0.6) < 1e-7 && Math.abs(n[1] - 0.8) < 1e-7);
  assert.deepEqual([...l2Normalize(f(0, 0))], [0, 0]);
  assert.equal(cosineDistance(f(0, 0), f(1, 0)), 1);
});

test('distance dispatches and rejects bad input with FacekitError', () => {
  assert.equal(distance(f(3, 4), f(0, 0), 'euclidean'), 5);
  assert.throws(() => distance(f(1), f(1, 2), 'cosine'), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /length/.test(e.message));
  assert.throws(() => distance(f(1), f(1), 'manhattan' as never), (e: unknown) => e instanceof FacekitError && /manhattan/.test(e.message));
});

test('batch distances equal the pairwise ones for every metric', () => {
  const rng = mulberry32(7);
  const vec = () => Float32Array.from({ length: 64 }, () => gaussian(rng));
  const gallery = Array.from({ length: 50 }, vec);
  gallery.push(new Float32Array(64)); // a zero row
  const probe = vec();
  for (const m of METRICS) {
    for (const mat of [matrixFor(gallery, m), toMatrix(gallery)]) {
      const got = batchDistances(probe, mat, m);
      assert.equal(got.length, gallery.length);
      gallery.forEach((g, i) => assert.ok(Math.abs(got[i] - distance(probe, g, m)) < 1e-5, `${m} row ${i}: ${got[i]} vs ${distance(probe, g, m)}`));
    }
  }
  assert.throws(() => batchDistances(f(1, 2), toMatrix(gallery), 'cosine'), FacekitError);
});
