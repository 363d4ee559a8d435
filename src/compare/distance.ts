/**
 * Distances between embeddings. Every function here returns a *distance*: lower means more alike,
 * and two identical vectors give 0. Thresholds, calibrations and evaluation all use that direction.
 */
import { FacekitError } from '../errors/index.js';

export type Metric = 'cosine' | 'euclidean' | 'euclidean_l2';
export const METRICS: readonly Metric[] = ['cosine', 'euclidean', 'euclidean_l2'];

export function isMetric(x: unknown): x is Metric {
  return typeof x === 'string' && (METRICS as readonly string[]).includes(x);
}

function checkPair(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new FacekitError('BAD_ARGUMENT', `embeddings differ in length (${a.length} vs ${b.length}): they come from different models`);
  }
  if (a.length === 0) throw new FacekitError('BAD_ARGUMENT', 'empty embedding');
}

function norm(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** 1 - cos(a, b), in 0..2. A zero vector has no direction: its distance to anything is 1. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  checkPair(a, b);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 1;
  // rounding can push |cos| a hair past 1
  const cos = Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
  return 1 - cos;
}

export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  checkPair(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Euclidean distance after scaling both vectors to unit length: sqrt(2 * cosineDistance), in 0..2. */
export function euclideanL2Distance(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(2 * cosineDistance(a, b));
}

/** A unit-length copy; a zero vector is returned as a zero copy rather than NaNs. */
export function l2Normalize(a: Float32Array): Float32Array {
  const n = norm(a);
  const out = new Float32Array(a.length);
  if (n === 0) return out;
  for (let i = 0; i < a.length; i++) out[i] = a[i] / n;
  return out;
}

export function distance(a: Float32Array, b: Float32Array, metric: Metric): number {
  switch (metric) {
    case 'cosine': return cosineDistance(a, b);
    case 'euclidean': return euclideanDistance(a, b);
    case 'euclidean_l2': return euclideanL2Distance(a, b);
    default: throw new FacekitError('BAD_ARGUMENT', `unknown metric '${String(metric)}' (use one of ${METRICS.join(', ')})`);
  }
}

/**
 * Gallery vectors packed row after row in one Float32Array, so a probe is scored against all of
 * them in one tight loop. For the cosine metrics, rows are stored unit length once at build time.
 */
export interface EmbeddingMatrix {
  dim: number;
  rows: number;
  data: Float32Array;
  /** true when every row has been scaled to unit length (zero rows stay zero) */
  normalized: boolean;
}

export function toMatrix(vectors: readonly Float32Array[], opts: { normalize?: boolean } = {}): EmbeddingMatrix {
  const dim = vectors.length ? vectors[0].length : 0;
  const data = new Float32Array(dim * vectors.length);
  vectors.forEach((v, r) => {
    if (v.length !== dim) throw new FacekitError('BAD_ARGUMENT', `gallery vector ${r} has length ${v.length}, expected ${dim}`);
    data.set(opts.normalize ? l2Normalize(v) : v, r * dim);
  });
  return { dim, rows: vectors.length, data, normalized: !!opts.normalize };
}

/** The matrix a metric wants: unit rows for cosine and euclidean_l2, raw rows for euclidean. */
export function matrixFor(vectors: readonly Float32Array[], metric: Metric): EmbeddingMatrix {
  return toMatrix(vectors, { normalize: metric !== 'euclidean' });
}

/**
 * Distances from one probe to every row of `gallery` (same results as `distance` row by row).
 * Cosine metrics on an unnormalized matrix are handled too, just slower.
 */
export function batchDistances(probe: Float32Array, gallery: EmbeddingMatrix, metric: Metric, out?: Float64Array): Float64Array {
  const { dim, rows, data } = gallery;
  if (rows > 0 && probe.length !== dim) {
    throw new FacekitError('BAD_ARGUMENT', `probe has length ${probe.length}, gallery vectors have ${dim}: they come from different models`);
  }
  const res = out ?? new Float64Array(rows);
  if (metric === 'euclidean') {
    for (let r = 0, o = 0; r < rows; r++, o += dim) {
      let s = 0;
      for (let i = 0; i < dim; i++) { const d = probe[i] - data[o + i]; s += d * d; }
      res[r] = Math.sqrt(s);
    }
    return res;
  }
  if (metric !== 'cosine' && metric !== 'euclidean_l2') distance(probe, probe, metric); // throws the usual message
  const pn = norm(probe);
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    let dot = 0, rn = 0;
    for (let i = 0; i < dim; i++) { dot += probe[i] * data[o + i]; rn += data[o + i] * data[o + i]; }
    const rowNorm = gallery.normalized ? (rn > 0 ? 1 : 0) : Math.sqrt(rn);
    const cd = pn === 0 || rowNorm === 0 ? 1 : 1 - Math.max(-1, Math.min(1, dot / (pn * rowNorm)));
    res[r] = metric === 'cosine' ? cd : Math.sqrt(2 * cd);
  }
  return res;
}
