/**
 * The k-nearest-neighbour graph of a set of embeddings, from usearch (the library under the
 * gallery's vector index: an exact SIMD scan for small sets, an HNSW graph with the gallery's
 * settings from `hnswFrom` rows), cut at a distance
 * threshold: an edge joins two faces when one is among the other's k nearest and their cosine
 * distance is at most the threshold. Symmetric, each edge once.
 */
import { usearchLib } from '../gallery/usearch-native.js';
import { ModelIndex, DEFAULT_HNSW, addToGraph, type HnswOptions } from '../gallery/index.js';

export interface KnnOptions {
  /** neighbours per face (default 30: on celebrity-aligned, 10 left people split in Chinese whispers) */
  k?: number;
  /** keep edges with cosine distance <= this */
  threshold: number;
  /** from this many rows the neighbours come from an HNSW graph instead of an exact scan (default 10,000) */
  hnswFrom?: number;
  hnsw?: HnswOptions;
  /** threads for building the HNSW graph (0 = all cores; default 0) */
  threads?: number;
}

export interface Graph {
  n: number;
  /** CSR adjacency: neighbours of i are adj[offsets[i] .. offsets[i+1]) */
  offsets: Int32Array;
  adj: Int32Array;
  /** cosine distance of each adjacency entry */
  dist: Float32Array;
}

export const DEFAULT_K = 30;
export const DEFAULT_HNSW_FROM = 10_000;
/**
 * The graph's HNSW settings, lighter than the gallery's: the gallery answers one query with high
 * recall, the graph needs each face's k nearest and tolerates a missed neighbour (Chinese whispers
 * votes over all the others). On 100k synthetic faces (bench/clustering.ts) these build and search
 * in 51 s of CPU against 92 s with the gallery's settings of the time (connectivity 12, expansion 40 / 64), same BCubed F1.
 */
export const GRAPH_HNSW: HnswOptions = { connectivity: 8, expansionAdd: 32, expansionSearch: 40 };

/** Rows `0..n-1` of a row-major matrix as an index with row numbers as ids. */
export function indexRows(vectors: Float32Array, dims: number, rows: readonly number[], opts: { hnsw?: boolean; hnswOptions?: HnswOptions; threads?: number } = {}): ModelIndex {
  const index = new ModelIndex('cluster', dims, { mode: opts.hnsw ? 'hnsw' : 'exact', metric: 'cos', hnsw: opts.hnswOptions, addThreads: opts.threads ?? 0 });
  const entries = rows.map((r) => ({ faceId: String(r), personId: '', vector: vectors.subarray(r * dims, (r + 1) * dims) }));
  index.add(entries);
  return index;
}

/**
 * kNN graph over the given rows; node i of the graph is rows[i]. The n searches go to usearch as
 * one batch (its threads share them; ModelIndex answers one query at a time): an exact SIMD scan
 * below `hnswFrom` rows, an HNSW graph (i8 vectors) from there. HNSW distances are approximate, so
 * every neighbour near the threshold is re-measured in float32 before the cut.
 */
export function knnGraph(vectors: Float32Array, dims: number, rows: readonly number[], opts: KnnOptions): Graph {
  const n = rows.length;
  const k = Math.min(opts.k ?? DEFAULT_K, Math.max(1, n - 1));
  const data = new Float32Array(n * dims);
  rows.forEach((r, i) => data.set(vectors.subarray(r * dims, (r + 1) * dims), i * dims));
  const threads = opts.threads ?? 0;
  const kk = Math.min(n, k + 1);
  let keys: BigUint64Array;
  let dists: Float32Array;
  const approximate = n >= (opts.hnswFrom ?? DEFAULT_HNSW_FROM);
  if (!approximate) {
    const m = usearchLib().exactSearch(data, data, dims, kk, 'cos' as never, threads) as unknown as { keys: BigUint64Array; distances: Float32Array };
    keys = m.keys;
    dists = m.distances;
  } else {
    const h = { ...DEFAULT_HNSW, ...GRAPH_HNSW, ...(opts.hnsw ?? {}) };
    const index = new (usearchLib().Index)({
      dimensions: dims, metric: 'cos' as never, quantization: h.quantization as never, connectivity: h.connectivity,
      expansion_add: h.expansionAdd, expansion_search: Math.max(h.expansionSearch, kk), multi: false,
    });
    const labels = new BigUint64Array(n);
    for (let i = 0; i < n; i++) labels[i] = BigInt(i);
    addToGraph(index, labels, data, dims, threads, 0);
    const m = index.search(data, kk, threads) as unknown as { keys: BigUint64Array; distances: Float32Array };
    keys = m.keys;
    dists = m.distances;
  }
  // i8 distances may be off by a few hundredths: a neighbour that close to the cut is re-measured
  // in float32; the others are clearly in or out, so their approximate distance stands
  const margin = approximate ? 0.05 : 0;
  // accepted directed pairs (i, candidate c); the CSR below stores each in both directions and
  // drops the copy when both ends found each other
  const accepted = new Uint8Array(n * kk);
  const acceptedDist = new Float32Array(n * kk);
  const degree = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < kk; c++) {
      const j = Number(keys[i * kk + c]);
      let d = dists[i * kk + c];
      if (j === i || j >= n || !(d <= opts.threshold + margin)) continue;
      if (approximate && d > opts.threshold - margin) d = cosineAt(data, dims, i, j);
      if (d > opts.threshold) continue;
      accepted[i * kk + c] = 1;
      acceptedDist[i * kk + c] = d;
      degree[i]++;
      degree[j]++;
    }
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + degree[i];
  const fill = start.slice(0, n);
  const rawAdj = new Int32Array(start[n]);
  const rawDist = new Float32Array(start[n]);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < kk; c++) {
      if (!accepted[i * kk + c]) continue;
      const j = Number(keys[i * kk + c]);
      const d = acceptedDist[i * kk + c];
      rawAdj[fill[i]] = j;
      rawDist[fill[i]++] = d;
      rawAdj[fill[j]] = i;
      rawDist[fill[j]++] = d;
    }
  }
  // de-duplicate each row in place (seen[j] === i marks j as already in row i)
  const seen = new Int32Array(n).fill(-1);
  const offsets = new Int32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let e = start[i]; e < start[i + 1]; e++) {
      const j = rawAdj[e];
      if (seen[j] === i) continue;
      seen[j] = i;
      rawAdj[o] = j;
      rawDist[o++] = rawDist[e];
    }
    offsets[i + 1] = o;
  }
  const adj = rawAdj.slice(0, o);
  const dist = rawDist.slice(0, o);
  return { n, offsets, adj, dist };
}

function cosineAt(data: Float32Array, dims: number, i: number, j: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let t = 0; t < dims; t++) {
    const x = data[i * dims + t];
    const y = data[j * dims + t];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return 1 - dot / (Math.sqrt(na * nb) || 1);
}
