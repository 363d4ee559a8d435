/**
 * The k-nearest-neighbour graph of a set of embeddings, from the gallery's vector index (usearch:
 * an exact SIMD scan for small sets, an HNSW graph from `hnswFrom` rows), cut at a distance
 * threshold: an edge joins two faces when one is among the other's k nearest and their cosine
 * distance is at most the threshold. Symmetric, each edge once.
 */
import { ModelIndex, type HnswOptions } from '../gallery/index.ts';

export interface KnnOptions {
  /** neighbours per face (default 30: on celebrity-aligned, 10 left people split in Chinese whispers) */
  k?: number;
  /** keep edges with cosine distance <= this */
  threshold: number;
  /** from this many rows the index searches an HNSW graph instead of scanning (default 20,000) */
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
export const DEFAULT_HNSW_FROM = 20_000;

/** Rows `0..n-1` of a row-major matrix as an index with row numbers as ids. */
export function indexRows(vectors: Float32Array, dims: number, rows: readonly number[], opts: { hnsw?: boolean; hnswOptions?: HnswOptions; threads?: number } = {}): ModelIndex {
  const index = new ModelIndex('cluster', dims, { mode: opts.hnsw ? 'hnsw' : 'exact', metric: 'cos', hnsw: opts.hnswOptions, addThreads: opts.threads ?? 0 });
  const entries = rows.map((r) => ({ faceId: String(r), personId: '', vector: vectors.subarray(r * dims, (r + 1) * dims) }));
  index.add(entries);
  return index;
}

/** kNN graph over the given rows; node i of the graph is rows[i]. */
export function knnGraph(vectors: Float32Array, dims: number, rows: readonly number[], opts: KnnOptions): Graph {
  const n = rows.length;
  const k = opts.k ?? DEFAULT_K;
  const index = indexRows(vectors, dims, rows, { hnsw: n >= (opts.hnswFrom ?? DEFAULT_HNSW_FROM), hnswOptions: opts.hnsw, threads: opts.threads });
  const node = new Map(rows.map((r, i) => [String(r), i]));
  const edges: Map<number, number>[] = Array.from({ length: n }, () => new Map<number, number>());
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const hits = index.search(vectors.subarray(r * dims, (r + 1) * dims), k + 1);
    for (const h of hits) {
      const j = node.get(h.faceId)!;
      if (j === i || h.distance > opts.threshold) continue;
      edges[i].set(j, h.distance);
      edges[j].set(i, h.distance);
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
