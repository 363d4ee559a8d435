import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mineTriplets, pairwiseSquaredDistances, type DistanceMatrix, type Triplet } from '../../src/learn/mining.ts';
import { FacekitError } from '../../src/errors/index.ts';

// three images of identity 0 (0, 1, 2), two of identity 1 (3, 4); squared distances by hand
const pairs: Record<string, number> = { '0,1': 1, '0,2': 4, '1,2': 2, '0,3': 3, '0,4': 6, '1,3': 0.5, '1,4': 2.5, '2,3': 5, '2,4': 4.5, '3,4': 1 };
const n = 5;
const data = new Float64Array(n * n);
for (const [k, v] of Object.entries(pairs)) {
  const [i, j] = k.split(',').map(Number);
  data[i * n + j] = v;
  data[j * n + i] = v;
}
const D: DistanceMatrix = { n, data };
const labels = [0, 0, 0, 1, 1];
const sorted = (t: Triplet[]) => t.map((x) => x.join(',')).sort();

test('batch-all keeps every valid triplet with positive loss, and not those at exactly zero', () => {
  const r = mineTriplets(D, labels, 'batch-all', 1);
  // (2,0,3) has loss 4 - 5 + 1 = 0 exactly: not active
  assert.deepEqual(sorted(r.triplets), sorted([[0, 2, 3], [1, 0, 3], [1, 2, 3], [1, 2, 4], [2, 0, 4], [3, 4, 1]]));
  assert.equal(r.candidates, 18);
  assert.equal(r.activeFraction, 6 / 18);
});

test('batch-hard takes the farthest positive and the nearest negative per anchor', () => {
  const r = mineTriplets(D, labels, 'batch-hard', 1);
  assert.deepEqual(r.triplets, [[0, 2, 3], [1, 2, 3], [2, 0, 4], [3, 4, 1], [4, 3, 1]]);
  // (4,3,1): 1 - 2.5 + 1 < 0
  assert.equal(r.activeFraction, 4 / 5);
});

test('semi-hard takes the nearest negative inside (d_ap, d_ap + margin), else the hardest negative', () => {
  const r = mineTriplets(D, labels, 'semi-hard', 1);
  assert.deepEqual(r.triplets, [
    [0, 1, 3], // none in (1, 2): fallback to hardest (3)
    [0, 2, 3], // none in (4, 5): fallback
    [1, 0, 3], // none in (1, 2): fallback
    [1, 2, 4], // 2.5 in (2, 3), although 3 is harder
    [2, 0, 4], // 4.5 in (4, 5); 5 is on the open bound
    [2, 1, 4], // none in (2, 3): fallback to hardest (4 at 4.5)
    [3, 4, 1], // fallback
    [4, 3, 1], // fallback
  ]);
  assert.equal(r.activeFraction, 5 / 8);
});

test('anchors without a positive or a negative in the batch yield no triplet', () => {
  const r = mineTriplets({ n: 3, data: [0, 1, 2, 1, 0, 3, 2, 3, 0] }, [0, 1, 2], 'batch-hard', 1);
  assert.equal(r.triplets.length, 0);
  assert.equal(r.activeFraction, 0);
});

test('pairwise squared distances and argument checks', () => {
  const d = pairwiseSquaredDistances([0, 0, 3, 4, 1, 0], 3, 2);
  assert.deepEqual(Array.from(d.data), [0, 25, 1, 25, 0, 20, 1, 20, 0]);
  assert.throws(() => mineTriplets(D, [0, 1], 'batch-all', 1), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => mineTriplets(D, labels, 'hardest' as never, 1), (e: unknown) => e instanceof FacekitError && /unknown mining/.test(e.message));
});
