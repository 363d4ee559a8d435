/**
 * In-memory nearest-neighbour index for one recognition model's embeddings.
 *
 * Every vector is kept once in a flat Float32 matrix: exact search scans it (usearch's SIMD
 * `exactSearch`), and it is the source of truth for final distances. Above `exactThreshold` faces
 * (mode 'auto'), or always (mode 'hnsw'), a usearch HNSW graph is kept alongside: it proposes
 * `rerank` candidates and their distances are then recomputed in full float32 from the matrix, so
 * the graph may be quantised (f16/i8) without the reported distances changing. Exact and HNSW
 * therefore report the same distance for the same face.
 */
import usearch from 'usearch';
import { FacekitError } from '../errors/index.ts';
import { newNativeIndex, type NativeIndex } from './usearch-native.ts';

const { exactSearch } = usearch;

export type Metric = 'cos' | 'l2sq' | 'ip';
export type IndexMode = 'auto' | 'exact' | 'hnsw';

export interface HnswOptions {
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
  /** storage of the graph's vectors; final distances are always float32 */
  quantization?: 'f32' | 'f16' | 'i8';
  /** candidates fetched from the graph before exact re-ranking (at least topK) */
  rerank?: number;
}

export interface IndexOptions {
  mode?: IndexMode;
  /** in 'auto' mode, the face count from which HNSW is used; see bench/results/gallery.json */
  exactThreshold?: number;
  /** metric the HNSW graph is built for; exact search can use any metric per query */
  metric?: Metric;
  hnsw?: HnswOptions;
  /** threads for bulk HNSW inserts (0 = all cores; default 1) */
  addThreads?: number;
  /** threads for one exact scan (0 = all cores, the default: latency over throughput) */
  searchThreads?: number;
}

/**
 * An exact scan is linear, ≈0.1 ms per 1,000 512-d faces on an idle 2-core machine (≈5 ms at 50k);
 * HNSW stays near 1 ms at any size. Below this the scan is exact and cheap enough, and the graph's
 * build cost (paid at every open) is not worth it. Figures: README.md, bench/results/gallery.json.
 */
export const DEFAULT_EXACT_THRESHOLD = 50_000;

export const DEFAULT_HNSW: Required<HnswOptions> = {
  connectivity: 12,
  expansionAdd: 40,
  expansionSearch: 128,
  quantization: 'i8',
  rerank: 32,
};

/**
 * int8 codes of one vector scaled by its own largest |component| and rounded. cos is
 * scale-invariant, so each row may have its own scale. usearch's own float->i8 cast instead scales
 * by the L2 norm and truncates, which leaves a 512-d unit vector only about ±18 levels per
 * component (recall@1 0.985 at 300k faces); max-abs scaling uses all ±127.
 */
export function quantizeI8(src: Float32Array, srcOffset: number, dims: number, out: Int8Array, outOffset: number): void {
  let max = 0;
  for (let j = 0; j < dims; j++) {
    const a = Math.abs(src[srcOffset + j]);
    if (a > max) max = a;
  }
  const scale = max > 0 ? 127 / max : 0;
  for (let j = 0; j < dims; j++) out[outOffset + j] = Math.round(src[srcOffset + j] * scale);
}

export interface IndexHit {
  faceId: string;
  personId: string;
  distance: number;
}

export interface IndexEntry {
  faceId: string;
  personId: string;
  vector: Float32Array;
}

/** usearch's conventions: cos = 1 - cosine similarity, ip = 1 - dot product, l2sq = squared L2 */
export function distance(metric: Metric, a: Float32Array, b: Float32Array, bOffset = 0): number {
  const n = a.length;
  if (metric === 'l2sq') {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = a[i] - b[bOffset + i];
      s += d * d;
    }
    return s;
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[bOffset + i];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (metric === 'ip') return 1 - dot;
  const denom = Math.sqrt(na * nb);
  return denom === 0 ? 1 : 1 - dot / denom;
}

export class ModelIndex {
  readonly model: string;
  readonly dims: number;
  private readonly mode: IndexMode;
  private readonly threshold: number;
  private readonly metric: Metric;
  private readonly hnswOpts: Required<HnswOptions>;
  private readonly addThreads: number;
  private readonly searchThreads: number;

  private data: Float32Array;
  private rows = 0;
  private rowFace: string[] = [];
  private rowPerson: string[] = [];
  private faceRow = new Map<string, number>();

  private hnsw: NativeIndex | null = null;
  private nextLabel = 0;
  private labelFace: (string | undefined)[] = [];
  private faceLabel = new Map<string, number>();

  constructor(model: string, dims: number, opts: IndexOptions = {}) {
    this.model = model;
    this.dims = dims;
    this.mode = opts.mode ?? 'auto';
    this.threshold = opts.exactThreshold ?? DEFAULT_EXACT_THRESHOLD;
    this.metric = opts.metric ?? 'cos';
    this.hnswOpts = { ...DEFAULT_HNSW, ...(opts.hnsw ?? {}) };
    this.addThreads = opts.addThreads ?? 1;
    this.searchThreads = opts.searchThreads ?? 0;
    this.data = new Float32Array(dims * 1024);
  }

  get size(): number {
    return this.rows;
  }

  /** whether searches currently go through the HNSW graph */
  get usingHnsw(): boolean {
    return this.hnsw !== null;
  }

  has(faceId: string): boolean {
    return this.faceRow.has(faceId);
  }

  personOf(faceId: string): string | undefined {
    const r = this.faceRow.get(faceId);
    return r === undefined ? undefined : this.rowPerson[r];
  }

  add(entries: IndexEntry[]): void {
    const fresh = entries.filter((e) => !this.faceRow.has(e.faceId));
    for (const e of fresh) {
      if (e.vector.length !== this.dims) {
        throw new FacekitError('BAD_ARGUMENT', `model ${this.model} embeddings have ${this.dims} dimensions, got ${e.vector.length}`);
      }
    }
    if (fresh.length === 0) return;
    this.ensureCapacity(this.rows + fresh.length);
    for (const e of fresh) {
      this.data.set(e.vector, this.rows * this.dims);
      this.rowFace[this.rows] = e.faceId;
      this.rowPerson[this.rows] = e.personId;
      this.faceRow.set(e.faceId, this.rows);
      this.rows++;
    }
    if (this.hnsw) this.hnswAdd(fresh);
    else if (this.mode === 'hnsw' || (this.mode === 'auto' && this.rows >= this.threshold)) this.buildHnsw();
  }

  remove(faceId: string): boolean {
    const row = this.faceRow.get(faceId);
    if (row === undefined) return false;
    const last = this.rows - 1;
    if (row !== last) {
      this.data.copyWithin(row * this.dims, last * this.dims, (last + 1) * this.dims);
      this.rowFace[row] = this.rowFace[last];
      this.rowPerson[row] = this.rowPerson[last];
      this.faceRow.set(this.rowFace[row], row);
    }
    this.rowFace.length = last;
    this.rowPerson.length = last;
    this.faceRow.delete(faceId);
    this.rows = last;
    const label = this.faceLabel.get(faceId);
    if (this.hnsw && label !== undefined) {
      this.hnsw.remove(BigUint64Array.of(BigInt(label)));
      this.labelFace[label] = undefined;
      this.faceLabel.delete(faceId);
    }
    if (this.hnsw && this.mode === 'auto' && this.rows < this.threshold / 2) this.dropHnsw();
    return true;
  }

  /**
   * The k nearest faces, nearest first. `exact` forces a full scan; a metric other than the graph's
   * also scans, since the graph's neighbourhoods are only valid for its own metric.
   */
  search(query: Float32Array, k: number, opts: { metric?: Metric; exact?: boolean; breadth?: number } = {}): IndexHit[] {
    if (query.length !== this.dims) {
      throw new FacekitError('BAD_ARGUMENT', `model ${this.model} embeddings have ${this.dims} dimensions, the query has ${query.length}`);
    }
    const metric = opts.metric ?? this.metric;
    if (this.rows === 0 || k < 1) return [];
    // usearch reads a typed array from the start of its buffer, so a view (subarray) must be copied
    if (query.byteOffset !== 0 || query.buffer.byteLength !== query.byteLength) query = query.slice();
    const useGraph = this.hnsw !== null && !opts.exact && metric === this.metric;
    const rows = useGraph ? this.graphCandidates(query, Math.max(k, opts.breadth ?? this.hnswOpts.rerank)) : this.exactCandidates(query, k, metric);
    const hits = rows.map((r) => ({ faceId: this.rowFace[r], personId: this.rowPerson[r], distance: distance(metric, query, this.data, r * this.dims) }));
    hits.sort((a, b) => a.distance - b.distance || (a.faceId < b.faceId ? -1 : 1));
    return hits.slice(0, k);
  }

  /** distances from the query to the given faces (those not in this index are left out) */
  distancesTo(query: Float32Array, faceIds: Iterable<string>, metric: Metric = this.metric): { faceId: string; distance: number }[] {
    const out: { faceId: string; distance: number }[] = [];
    for (const faceId of faceIds) {
      const r = this.faceRow.get(faceId);
      if (r !== undefined) out.push({ faceId, distance: distance(metric, query, this.data, r * this.dims) });
    }
    return out;
  }

  private exactCandidates(query: Float32Array, k: number, metric: Metric): number[] {
    const count = Math.min(k, this.rows);
    const m = exactSearch(this.data.subarray(0, this.rows * this.dims), query, this.dims, count, metric as never, this.searchThreads) as { keys: BigUint64Array };
    return Array.from(m.keys, (x) => Number(x)).filter((r) => r < this.rows);
  }

  private graphCandidates(query: Float32Array, k: number): number[] {
    const want = Math.min(k, this.rows);
    const [keys, , counts] = this.hnsw!.search(this.ownCodes ? this.codesOf(query) : query, want, 1);
    const out: number[] = [];
    for (const label of keys.subarray(0, Number(counts[0]))) {
      const face = this.labelFace[Number(label)];
      if (face === undefined) continue;
      const row = this.faceRow.get(face);
      if (row !== undefined) out.push(row);
    }
    return out;
  }

  private ensureCapacity(rows: number): void {
    if (rows * this.dims <= this.data.length) return;
    let cap = this.data.length / this.dims;
    while (cap < rows) cap *= 2;
    const next = new Float32Array(cap * this.dims);
    next.set(this.data.subarray(0, this.rows * this.dims));
    this.data = next;
  }

  private buildHnsw(): void {
    const h = this.hnswOpts;
    this.hnsw = newNativeIndex({
      dims: this.dims,
      metric: this.metric,
      quantization: h.quantization,
      connectivity: h.connectivity,
      expansionAdd: h.expansionAdd,
      expansionSearch: h.expansionSearch,
    });
    this.labelFace = [];
    this.faceLabel.clear();
    this.nextLabel = 0;
    const all: IndexEntry[] = [];
    for (let r = 0; r < this.rows; r++) {
      all.push({ faceId: this.rowFace[r], personId: this.rowPerson[r], vector: this.data.subarray(r * this.dims, (r + 1) * this.dims) });
    }
    this.hnswAdd(all);
  }

  /** whether the graph is fed our own int8 codes (cos + i8 only: per-vector scales would change other metrics) */
  private get ownCodes(): boolean {
    return this.metric === 'cos' && this.hnswOpts.quantization === 'i8';
  }

  private codesOf(v: Float32Array): Int8Array {
    const out = new Int8Array(this.dims);
    quantizeI8(v, 0, this.dims, out, 0);
    return out;
  }

  private hnswAdd(entries: IndexEntry[]): void {
    const keys = new BigUint64Array(entries.length);
    const vectors = this.ownCodes ? new Int8Array(entries.length * this.dims) : new Float32Array(entries.length * this.dims);
    entries.forEach((e, i) => {
      const label = this.nextLabel++;
      keys[i] = BigInt(label);
      if (vectors instanceof Int8Array) quantizeI8(e.vector, 0, this.dims, vectors, i * this.dims);
      else vectors.set(e.vector, i * this.dims);
      this.labelFace[label] = e.faceId;
      this.faceLabel.set(e.faceId, label);
    });
    this.hnsw!.add(keys, vectors, this.addThreads);
  }

  /** writes the HNSW graph (usearch's file format) to `path`; false when there is no graph */
  saveGraph(path: string): boolean {
    if (!this.hnsw) return false;
    this.hnsw.save(path);
    return true;
  }

  private dropHnsw(): void {
    this.hnsw = null;
    this.labelFace = [];
    this.faceLabel.clear();
  }
}
