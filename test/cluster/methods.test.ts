/** Grouping methods and scores on embeddings the test makes: known people, known answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chineseWhispers, clusterRows, connectedComponents, knnGraph, METHODS, scoreClustering, type Graph } from '../../src/cluster/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { mulberry32 } from '../../src/eval/prng.ts';

const DIMS = 64;

/** `people` random unit centres, `per` faces each = centre + noise, renormalised; rows person-major. */
function people(count: number, per: number, noise: number, seed = 7): { vectors: Float32Array; truth: number[] } {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  const vectors = new Float32Array(count * per * DIMS);
  const truth: number[] = [];
  for (let p = 0; p < count; p++) {
    const c = Array.from({ length: DIMS }, gauss);
    for (let f = 0; f < per; f++) {
      const row = p * per + f;
      let n = 0;
      for (let j = 0; j < DIMS; j++) {
        const v = c[j] / Math.sqrt(DIMS) + (noise / Math.sqrt(DIMS)) * gauss();
        vectors[row * DIMS + j] = v;
        n += v * v;
      }
      for (let j = 0; j < DIMS; j++) vectors[row * DIMS + j] /= Math.sqrt(n);
      truth.push(p);
    }
  }
  return { vectors, truth };
}

function graphOf(n: number, edges: [number, number][]): Graph {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) { adj[a].push(b); adj[b].push(a); }
  const offsets = new Int32Array(n + 1);
  adj.forEach((l, i) => { offsets[i + 1] = offsets[i] + l.length; });
  return { n, offsets, adj: Int32Array.from(adj.flat()), dist: new Float32Array(offsets[n]).fill(0.2) };
}

test('scores: BCubed and pairwise figures on a hand-worked example', () => {
  // truth a a a b b; clusters {0,1} {2,3,4}: pairs together 1 (0-1) + 1 (3-4) of predicted 1 + 3, of true 3 + 1
  const s = scoreClustering(['a', 'a', 'a', 'b', 'b'], [1, 1, 2, 2, 2]);
  assert.equal(s.pairwise.precision, 2 / 4);
  assert.equal(s.pairwise.recall, 2 / 4);
  // BCubed precision: faces 0,1: 1; face 2: 1/3; faces 3,4: 2/3 -> (2 + 1/3 + 4/3) / 5
  assert.ok(Math.abs(s.bcubed.precision - (2 + 1 / 3 + 4 / 3) / 5) < 1e-12);
  // recall: faces 0,1: 2/3; face 2: 1/3; faces 3,4: 1 -> (4/3 + 1/3 + 2) / 5
  assert.ok(Math.abs(s.bcubed.recall - (4 / 3 + 1 / 3 + 2) / 5) < 1e-12);
  assert.equal(s.clusters, 2);
  assert.equal(s.people, 2);
  const perfect = scoreClustering(['x', 'x', 'y'], ['k', 'k', 'm']);
  assert.equal(perfect.bcubed.f1, 1);
  assert.equal(perfect.pairwise.f1, 1);
  assert.throws(() => scoreClustering(['a'], []), FacekitError);
});

test('connected components follow every chain; Chinese whispers keeps two dense groups apart across one stray edge', () => {
  // two 5-cliques joined by one edge 4-5
  const edges: [number, number][] = [];
  for (const base of [0, 5]) for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) edges.push([base + i, base + j]);
  edges.push([4, 5]);
  const g = graphOf(11, edges); // node 10 alone
  const cc = connectedComponents(g);
  assert.deepEqual([...cc], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  const cw = chineseWhispers(g, { seed: 3 });
  assert.equal(new Set(cw.slice(0, 5)).size, 1);
  assert.equal(new Set(cw.slice(5, 10)).size, 1);
  assert.notEqual(cw[0], cw[5]);
  assert.equal(new Set(cw).size, 3, 'the lone node is its own cluster');
});

test('the kNN graph keeps only neighbours within the threshold, symmetric', () => {
  const { vectors } = people(3, 4, 0.4);
  const rows = Array.from({ length: 12 }, (_, i) => i);
  const g = knnGraph(vectors, DIMS, rows, { k: 5, threshold: 0.3 });
  for (let i = 0; i < g.n; i++) {
    for (let o = g.offsets[i]; o < g.offsets[i + 1]; o++) {
      const j = g.adj[o];
      assert.ok(g.dist[o] <= 0.3);
      let back = false;
      for (let p = g.offsets[j]; p < g.offsets[j + 1]; p++) back ||= g.adj[p] === i;
      assert.ok(back, `edge ${i}-${j} has no way back`);
    }
  }
  // the exact scan and the HNSW path find the same graph on a small set
  const h = knnGraph(vectors, DIMS, rows, { k: 5, threshold: 0.3, hnswFrom: 1 });
  const edgesOf = (x: Graph) => Array.from({ length: x.n }, (_, i) => [...x.adj.slice(x.offsets[i], x.offsets[i + 1])].sort((a, b) => a - b).join(','));
  assert.deepEqual(edgesOf(h), edgesOf(g));
});

test('every method recovers well-separated people; a threshold too tight splits them, too loose merges', () => {
  const { vectors, truth } = people(8, 12, 0.5);
  const rows = truth.map((_, i) => i);
  for (const method of METHODS) {
    const labels = clusterRows(vectors, DIMS, rows, { method, threshold: 0.5, k: 15 });
    const s = scoreClustering(truth, [...labels]);
    assert.equal(s.bcubed.f1, 1, `${method}: ${JSON.stringify(s)}`);
    assert.equal(s.clusters, 8, method);
  }
  const tight = scoreClustering(truth, [...clusterRows(vectors, DIMS, rows, { threshold: 0.02, k: 15 })]);
  assert.ok(tight.clusters > 8 && tight.bcubed.precision === 1 && tight.bcubed.recall < 0.5, JSON.stringify(tight));
  const loose = scoreClustering(truth, [...clusterRows(vectors, DIMS, rows, { method: 'connected-components', threshold: 1.5, k: 15 })]);
  assert.equal(loose.clusters, 1);
  assert.throws(() => clusterRows(vectors, DIMS, rows, { threshold: 0 }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => clusterRows(vectors, DIMS, rows, { threshold: 0.5, method: 'kmeans' as never }), /unknown clustering method/);
});
