/**
 * The k-nearest-neighbour graph of a set of embeddings, from usearch (the library under the
 * gallery's vector index: an exact SIMD scan for small sets, an HNSW graph with the gallery's
 * settings from `hnswFrom` rows), cut at a distance
 * threshold: an edge joins two faces when one is among the other's k nearest and their cosine
 * distance is at most the threshold. Symmetric, each edge once.
 */
import usearch from 'usearch';
import { ModelIndex, DEFAULT_HNSW, type HnswOptions } from '../gallery/index.ts';

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
export const GRAPH_EXPANSION_SEARCH = 64;

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
    const m = usearch.exactSearch(data, data, dims, kk, 'cos' as never, threads) as unknown as { keys: BigUint64Array; distances: Float32Array };
    keys = m.keys;
    dists = m.distances;
  } else {
    // the gallery searches with expansion 128 for one query's recall; the graph needs its k
    // nearest of each face and tolerates a missed neighbour, and 64 halves its search time
    const h = { ...DEFAULT_HNSW, expansionSearch: GRAPH_EXPANSION_SEARCH, ...(opts.hnsw ?? {}) };
    const index = new usearch.Index({
      dimensions: dims, metric: 'cos' as never, quantization: h.quantization as never, connectivity: h.connectivity,
      expansion_add: h.expansionAdd, expansion_search: Math.max(h.expansionSearch, kk), multi: false,
    });
    const labels = new BigUint64Array(n);
    for (let i = 0; i < n; i++) labels[i] = BigInt(i);
    index.add(labels, data, threads);
    const m = index.search(data, kk, threads) as unknown as { keys: BigUint64Array; distances: Float32Array };
    keys = m.keys;
    dists = m.distances;
  }
  const edges: Map<number, number>[] = Array.from({ length: n }, () => new Map<number, number>());
  // i8 distances may be off by a few hundredths: anything that might pass is re-measured
  const margin = approximate ? 0.05 : 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < kk; c++) {
      const j = Number(keys[i * kk + c]);
      let d = dists[i * kk + c];
      if (j === i || j >= n || !(d <= opts.threshold + margin)) continue;
      if (approximate) d = cosineAt(data, dims, i, j);
      if (d > opts.threshold) continue;
      edges[i].set(j, d);
      edges[j].set(i, d);
    }
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + edges[i].size;
  const adj = new Int32Array(offsets[n]);
  const dist = new Float32Array(offsets[n]);
  for (let i = 0; i < n; i++) {
    let o = offsets[i];
    for (const [j, d] of edges[i]) {
      adj[o] = j;
      dist[o++] = d;
    }
  }
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
