/**
 * Grouping embeddings by person. Two families:
 *
 * - graph (default): the kNN graph from the vector index, cut at the calibrated threshold (knn.ts),
 *   partitioned by Chinese whispers ('chinese-whispers', the default) or connected components
 *   ('connected-components'). Cost: n index searches, so it scales to 100k faces with HNSW.
 * - density ('dbscan'): DBSCAN from the density-clustering package, eps = the threshold,
 *   minPts = `minPoints`. Faces in no dense region come back as clusters of one. Its region
 *   queries scan every face, so it is quadratic: meant for folders of a few thousand faces.
 *
 * Distances are cosine (embeddings are L2-normalised by the embed stage).
 */
import clustering from 'density-clustering';
import { FacekitError } from '../errors/index.js';
import { chineseWhispers, connectedComponents, renumber } from './graph.js';
import { knnGraph, DEFAULT_K, type KnnOptions } from './knn.js';

export const METHODS = ['chinese-whispers', 'connected-components', 'dbscan'] as const;
export type ClusterMethod = (typeof METHODS)[number];
export const DEFAULT_METHOD: ClusterMethod = 'chinese-whispers';

/** DBSCAN refuses more faces than this (its region queries are O(n^2)). */
export const DBSCAN_MAX_FACES = 20_000;
export const DEFAULT_MIN_POINTS = 3;

export function isClusterMethod(x: unknown): x is ClusterMethod {
  return typeof x === 'string' && (METHODS as readonly string[]).includes(x);
}

export interface ClusterOptions extends Omit<KnnOptions, 'threshold'> {
  method?: ClusterMethod;
  /** cosine distance at most which two faces may be the same person */
  threshold: number;
  /** DBSCAN's minPts, counting the face itself (default 3) */
  minPoints?: number;
  seed?: number;
  /**
   * cannot-link: one group per listed row (such as the photo it came from; negative = none). Two
   * faces of one group are two people, so no cluster keeps both (see splitCannotLinks).
   */
  cannotLink?: ArrayLike<number>;
}

/** One label per row (0..clusters-1, by first appearance); every row gets a cluster. */
export function clusterRows(vectors: Float32Array, dims: number, rows: readonly number[], opts: ClusterOptions): Int32Array {
  if (!(opts.threshold > 0 && opts.threshold < 2)) throw new FacekitError('BAD_ARGUMENT', `cluster threshold must be a cosine distance in (0, 2), got ${opts.threshold}`);
  const method = opts.method ?? DEFAULT_METHOD;
  if (!isClusterMethod(method)) throw new FacekitError('BAD_ARGUMENT', `unknown clustering method ${String(method)}; use one of ${METHODS.join(', ')}`);
  if (rows.length === 0) return new Int32Array(0);
  if (opts.cannotLink && opts.cannotLink.length !== rows.length) throw new FacekitError('BAD_ARGUMENT', `cannotLink has ${opts.cannotLink.length} groups for ${rows.length} rows`);
  let labels: Int32Array;
  if (method === 'dbscan') labels = dbscan(vectors, dims, rows, opts.threshold, opts.minPoints ?? DEFAULT_MIN_POINTS);
  else {
    const g = knnGraph(vectors, dims, rows, { ...opts, k: opts.k ?? DEFAULT_K });
    labels = method === 'connected-components' ? connectedComponents(g) : chineseWhispers(g, { seed: opts.seed });
  }
  return opts.cannotLink ? splitCannotLinks(vectors, dims, rows, labels, opts.cannotLink) : labels;
}

/**
 * Splits every cluster holding two faces of one cannot-link group. Within such a cluster the faces
 * are placed most central first (largest summed similarity to the cluster); each joins the part it
 * is most similar to on average among those without a face of its group, or starts a new part.
 */
export function splitCannotLinks(vectors: Float32Array, dims: number, rows: readonly number[], labels: Int32Array, groups: ArrayLike<number>): Int32Array {
  const members = new Map<number, number[]>();
  labels.forEach((l, i) => members.set(l, [...(members.get(l) ?? []), i]));
  const out = Int32Array.from(labels);
  let next = labels.reduce((m, l) => Math.max(m, l), -1) + 1;
  const sim = (a: number, b: number) => {
    let dot = 0;
    for (let k = 0, oa = rows[a] * dims, ob = rows[b] * dims; k < dims; k++) dot += vectors[oa + k] * vectors[ob + k];
    return dot;
  };
  for (const list of members.values()) {
    const seen = new Set<number>();
    if (!list.some((i) => groups[i] >= 0 && (seen.has(groups[i]) || !seen.add(groups[i])))) continue;
    const central = list.map((i) => ({ i, s: list.reduce((t, j) => t + (i === j ? 0 : sim(i, j)), 0) })).sort((a, b) => b.s - a.s).map((x) => x.i);
    const parts: { label: number; faces: number[]; groups: Set<number> }[] = [];
    for (const i of central) {
      let best: (typeof parts)[number] | null = null;
      let bestS = -Infinity;
      for (const p of parts) {
        if (groups[i] >= 0 && p.groups.has(groups[i])) continue;
        const s = p.faces.reduce((t, j) => t + sim(i, j), 0) / p.faces.length;
        if (s > bestS) [best, bestS] = [p, s];
      }
      if (!best) parts.push((best = { label: parts.length === 0 ? labels[i] : next++, faces: [], groups: new Set() }));
      best.faces.push(i);
      if (groups[i] >= 0) best.groups.add(groups[i]);
      out[i] = best.label;
    }
  }
  return renumber(out);
}

function dbscan(vectors: Float32Array, dims: number, rows: readonly number[], eps: number, minPoints: number): Int32Array {
  if (rows.length > DBSCAN_MAX_FACES) {
    throw new FacekitError('BAD_ARGUMENT', `dbscan compares every pair of faces: ${rows.length} faces is over its limit of ${DBSCAN_MAX_FACES}; use chinese-whispers`);
  }
  if (!Number.isInteger(minPoints) || minPoints < 1) throw new FacekitError('BAD_ARGUMENT', `minPoints must be a positive integer, got ${minPoints}`);
  // the package hands points to the distance function: each point is [row], looked up in the matrix
  const points = rows.map((r) => [r]);
  const cosine = (a: number[], b: number[]): number => {
    const oa = a[0] * dims;
    const ob = b[0] * dims;
    let dot = 0;
    for (let i = 0; i < dims; i++) dot += vectors[oa + i] * vectors[ob + i];
    return 1 - dot;
  };
  const db = new clustering.DBSCAN();
  // the package keeps neighbours at distance < eps; the threshold means <= (a measure-zero difference)
  const groups = db.run(points, eps, minPoints, cosine);
  const label = new Int32Array(rows.length).fill(-1);
  groups.forEach((members, c) => { for (const i of members) label[i] = c; });
  let next = groups.length;
  for (let i = 0; i < label.length; i++) if (label[i] < 0) label[i] = next++;
  return renumber(label);
}
