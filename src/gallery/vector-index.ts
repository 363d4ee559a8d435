/**
 * In-memory nearest-neighbour index for one recognition model's embeddings.
 *
 * Every vector is kept once in a flat Float32 matrix, the source of truth for final distances.
 * For the cos metric its int8 codes (int8-codes.ts) are kept too, a quarter of the bytes: exact
 * search scans the codes (usearch's SIMD `exactSearch`), re-ranks the best of them in float32, and
 * proves from the codes' error bound that nothing outside them can be nearer; when it cannot, it
 * scans the float32 matrix. Above `exactThreshold` faces (mode 'auto'), or always (mode 'hnsw'), a
 * usearch HNSW graph over the codes proposes `rerank` candidates, also re-ranked in float32, so
 * exact and HNSW report the same distance for the same face. A query bit-identical to a stored
 * vector always finds it (hash lookup), whatever the graph does.
 *
 * With `vectors: 'file'` (for galleries whose float32 matrix does not fit in RAM: 10M x 512 is
 * 20 GB) the float32 rows live in a scratch file (float-rows.ts) and no exact-scan codes are kept:
 * the graph holds the only int8 copy. A graph search then orders its candidates by the graph's own
 * int8 distances and reads back only the `fileRerank` nearest of them to re-rank in float32, so
 * reported distances stay exact; an exact search streams the file. With `vectors: 'auto'` (the
 * default) the rows start in memory and move to the scratch file once they and their codes would
 * take more than `memoryBudget` bytes, so a gallery grown past what RAM holds keeps working.
 */
import { totalmem } from 'node:os';
import { FacekitError } from '../errors/index.js';
import { quantizeI8, vectorHash } from './int8-codes.js';
import { newNativeIndex, usearchLib, type NativeIndex } from './usearch-native.js';
import { FileRows, MemoryRows, grownCapacity, type FloatRows } from './float-rows.js';


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
  /**
   * with `vectors: 'file'`: how many of the graph's candidates, nearest first by their int8
   * distance, are read back and re-ranked in float32 (at least topK)
   */
  fileRerank?: number;
}

export interface IndexOptions {
  mode?: IndexMode;
  /** in 'auto' mode, the face count from which HNSW is used; see bench/results/gallery.json */
  exactThreshold?: number;
  /** metric the HNSW graph is built for; exact search can use any metric per query */
  metric?: Metric;
  hnsw?: HnswOptions;
  /** threads for HNSW inserts (0 = all cores); default: all cores for a full build, 1 for later adds */
  addThreads?: number;
  /** threads for one exact scan (0 = all cores, the default: latency over throughput) */
  searchThreads?: number;
  /** exact cos search scans the int8 codes first (default true); false = always the float32 scan */
  exactCodes?: boolean;
  /**
   * where the float32 vectors are kept: 'memory', a scratch 'file' (see above), or 'auto' (the
   * default): memory until the rows and their codes would outgrow `memoryBudget`, then the file
   */
  vectors?: 'memory' | 'file' | 'auto';
  /** bytes of RAM the vectors may take with `vectors: 'auto'` (default: a quarter of the machine's RAM) */
  memoryBudget?: number;
  /** directory for the scratch file of `vectors: 'file'` or 'auto' (default: `scratch` in facekit's cache directory, $FACEKIT_CACHE_DIR or ~/.cache/facekit) */
  vectorDir?: string;
}

/**
 * An exact scan is linear, ≈0.06 ms per 1,000 512-d faces on an idle 2-core machine (5.7 ms at
 * 100k, int8 codes with proof); HNSW at the default breadth 64 costs 0.45 ms at 10k and 1.1 ms at
 * 100k. Below this count the scan stays under about 3 ms, its answer is exact, and no graph has to
 * be built (15 s at 50k) or kept. Figures: README.md, bench/results/gallery.json.
 */
export const DEFAULT_EXACT_THRESHOLD = 50_000;

/**
 * Measured at 1M synthetic faces, 1,000 queries (bench/results/gallery.json, `breadths`): connectivity
 * 16 with expansion 64 builds in 680 s on 2 threads (12/40: 471 s) and at search breadth 64 (ef and
 * re-ranked candidates) answers in 1.65 ms p50 with recall@1 0.990 face / 0.993 person. 12/40
 * needed breadth 128 and 2.7 ms for less (0.955 / 0.995). Wider searches trade time for recall:
 * breadth 96 gave 0.997 at 2.3 ms, 256 gave 1.000 at 5.5 ms (pass `breadth` per search).
 */
export const DEFAULT_HNSW: Required<HnswOptions> = {
  connectivity: 16,
  expansionAdd: 64,
  expansionSearch: 64,
  quantization: 'i8',
  rerank: 64,
  fileRerank: 8,
};

/** rows inserted by one thread before a parallel build goes on (see addToGraph) */
const GRAPH_SERIAL_CORE = 1024;

/**
 * Inserts `keys` (with their row-major `vectors`) into an HNSW graph on `threads` threads.
 * Concurrent inserts into a near-empty graph leave some nodes unreachable (measured: about half
 * of the searches over a 239-face graph at breadth 256 came back short, and top-1 differed from
 * the exact answer in 1 of 230), so the first rows of an empty graph go in on one thread.
 */
export function addToGraph<V extends Float32Array | Int8Array>(
  graph: { add(keys: BigUint64Array, vectors: V, threads: number): void },
  keys: BigUint64Array, vectors: V, dims: number, threads: number, graphSize: number,
): void {
  const serial = Math.min(keys.length, Math.max(0, GRAPH_SERIAL_CORE - graphSize));
  // one row per call, still passing `threads`: a call that grows the graph also resets usearch's
  // pool of per-thread contexts to the number of threads it was given, so a serial call with 1
  // would leave one context for later parallel searches and inserts ("Reserve capacity ahead of
  // searches!"); with one task a call runs on the calling thread whatever `threads` says.
  // Slices: the native add reads from the start of the array's buffer
  for (let i = 0; i < serial; i++) graph.add(keys.slice(i, i + 1), vectors.slice(i * dims, (i + 1) * dims) as V, threads);
  if (serial < keys.length) graph.add(keys.slice(serial), vectors.slice(serial * dims) as V, threads);
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

/** below this many faces the float32 scan is as cheap as the int8 one and needs no proof */
const CODE_SCAN_MIN_ROWS = 4096;
/** int8 candidates re-ranked in float32 by an exact scan, beyond topK */
const CODE_SCAN_EXTRA = 63;
/** rows per block when a file store is scanned or fed to the graph (64 MB at 512-d) */
const FILE_SCAN_ROWS = 32_768;
/** float32 rounding in usearch's int8 cos (int32 sums, refined rsqrt) is far below this */
const CODE_SCAN_SLACK = 1e-4;

export class ModelIndex {
  readonly model: string;
  readonly dims: number;
  private readonly mode: IndexMode;
  private readonly threshold: number;
  private readonly metric: Metric;
  private readonly hnswOpts: Required<HnswOptions>;
  private readonly addThreads: number;
  private readonly buildThreads: number;
  private readonly searchThreads: number;
  private readonly exactCodes: boolean;
  /** with vectors 'auto': the RAM the float rows and codes may take before they move to a file */
  private readonly memoryBudget: number | null;
  private readonly vectorDir: string | undefined;

  /** the float32 rows, the source of truth */
  private floats: FloatRows;
  /** one row read back from a file store */
  private scratch: Float32Array;
  /** int8 codes of the float rows (cos metric, vectors in memory only) */
  private codes: Int8Array | null;
  /** the largest code direction error ever stored (never lowered on removal: stays an upper bound) */
  private codeErrorMax = 0;
  private rows = 0;
  private rowFace: string[] = [];
  private rowPerson: string[] = [];
  private faceRow = new Map<string, number>();
  /** vectorHash -> face id(s) with those exact bits */
  private byHash = new Map<number, string | string[]>();

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
    this.buildThreads = opts.addThreads ?? 0;
    this.searchThreads = opts.searchThreads ?? 0;
    const inFile = opts.vectors === 'file';
    this.vectorDir = opts.vectorDir;
    this.memoryBudget = (opts.vectors ?? 'auto') === 'auto' ? (opts.memoryBudget ?? Math.floor(totalmem() / 4)) : null;
    if (this.memoryBudget !== null && !(this.memoryBudget >= 0)) throw new FacekitError('BAD_ARGUMENT', `memoryBudget must be a number of bytes >= 0, got ${opts.memoryBudget}`);
    this.floats = inFile ? new FileRows(dims, opts.vectorDir) : new MemoryRows(dims);
    this.scratch = new Float32Array(dims);
    this.exactCodes = opts.exactCodes ?? true;
    // in a file store the graph's int8 copy is the only one: exact-scan codes would double it
    this.codes = this.metric === 'cos' && !inFile ? new Int8Array(dims * 1024) : null;
  }

  get size(): number {
    return this.rows;
  }

  /** whether searches currently go through the HNSW graph */
  get usingHnsw(): boolean {
    return this.hnsw !== null;
  }

  /** whether the mode asks for a graph at the current size */
  get wantsHnsw(): boolean {
    return this.mode === 'hnsw' || (this.mode === 'auto' && this.rows >= this.threshold);
  }

  /** the graph's build settings, which a saved graph must match to be reused */
  get graphSettings(): { metric: Metric; dims: number; connectivity: number; expansionAdd: number; quantization: string; codes: string } {
    const h = this.hnswOpts;
    return { metric: this.metric, dims: this.dims, connectivity: h.connectivity, expansionAdd: h.expansionAdd, quantization: h.quantization, codes: this.ownCodes ? 'max-abs-i8' : 'usearch' };
  }

  has(faceId: string): boolean {
    return this.faceRow.has(faceId);
  }

  personOf(faceId: string): string | undefined {
    const r = this.faceRow.get(faceId);
    return r === undefined ? undefined : this.rowPerson[r];
  }

  /**
   * Adds faces (ids already present are ignored). `deferGraph` stores them without building or
   * extending the graph, for a caller that will load a saved graph or call `ensureGraph`.
   */
  add(entries: IndexEntry[], opts: { deferGraph?: boolean } = {}): void {
    const fresh = entries.filter((e) => !this.faceRow.has(e.faceId));
    for (const e of fresh) {
      if (e.vector.length !== this.dims) {
        throw new FacekitError('BAD_ARGUMENT', `model ${this.model} embeddings have ${this.dims} dimensions, got ${e.vector.length}`);
      }
    }
    if (fresh.length === 0) return;
    this.ensureCapacity(this.rows + fresh.length);
    const firstRow = this.rows;
    // one write for the whole batch (one syscall in a file store)
    const block = new Float32Array(fresh.length * this.dims);
    fresh.forEach((e, i) => block.set(e.vector, i * this.dims));
    this.floats.write(firstRow, block);
    for (const e of fresh) {
      const r = this.rows;
      if (this.codes) {
        const err = quantizeI8(e.vector, 0, this.dims, this.codes, r * this.dims);
        if (err > this.codeErrorMax) this.codeErrorMax = err;
      }
      this.rowFace[r] = e.faceId;
      this.rowPerson[r] = e.personId;
      this.faceRow.set(e.faceId, r);
      this.hashAdd(vectorHash(e.vector), e.faceId);
      this.rows++;
    }
    if (opts.deferGraph) return;
    if (this.hnsw) this.hnswAddRows(firstRow, this.rows);
    else this.ensureGraph();
  }

  /** builds the graph from every stored face if the mode wants one and there is none */
  ensureGraph(): void {
    if (!this.hnsw && this.wantsHnsw) this.buildHnsw();
  }

  remove(faceId: string): boolean {
    const row = this.faceRow.get(faceId);
    if (row === undefined) return false;
    this.hashRemove(vectorHash(this.row(row)), faceId);
    const last = this.rows - 1;
    if (row !== last) {
      this.floats.move(last, row);
      this.codes?.copyWithin(row * this.dims, last * this.dims, (last + 1) * this.dims);
      this.rowFace[row] = this.rowFace[last];
      this.rowPerson[row] = this.rowPerson[last];
      this.faceRow.set(this.rowFace[row], row);
    }
    this.rowFace.length = last;
    this.rowPerson.length = last;
    this.faceRow.delete(faceId);
    this.rows = last;
    this.floats.truncate(last);
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
   * also scans, since the graph's neighbourhoods are only valid for its own metric. `breadth`
   * overrides how many graph candidates are re-ranked.
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
    let rows: number[];
    if (useGraph) {
      rows = this.graphCandidates(query, Math.max(k, opts.breadth ?? this.hnswOpts.rerank));
      // a file store re-reads only the graph's nearest few (in int8 order) from disk
      if (this.floats instanceof FileRows) rows = rows.slice(0, Math.max(k, this.hnswOpts.fileRerank));
      // a stored vector searched with itself: found even where the graph misses it
      for (const face of this.hashFaces(vectorHash(query))) {
        const r = this.faceRow.get(face)!;
        if (!rows.includes(r) && this.sameBits(query, r)) rows.push(r);
      }
    } else {
      rows = this.exactCandidates(query, k, metric);
    }
    const hits = rows.map((r) => ({ faceId: this.rowFace[r], personId: this.rowPerson[r], distance: distance(metric, query, this.row(r)) }));
    hits.sort(byDistance);
    return hits.slice(0, k);
  }

  /** distances from the query to the given faces (those not in this index are left out) */
  distancesTo(query: Float32Array, faceIds: Iterable<string>, metric: Metric = this.metric): { faceId: string; distance: number }[] {
    const out: { faceId: string; distance: number }[] = [];
    for (const faceId of faceIds) {
      const r = this.faceRow.get(faceId);
      if (r !== undefined) out.push({ faceId, distance: distance(metric, query, this.row(r)) });
    }
    return out;
  }

  /** the stored vector of a face (a view into the index: copy it to keep it), or undefined */
  vectorOf(faceId: string): Float32Array | undefined {
    const r = this.faceRow.get(faceId);
    // a fresh copy from a file store: callers (templates) keep several at once
    return r === undefined ? undefined : this.floats.read(r, r + 1);
  }

  /** bytes held in RAM by the vectors (float32 rows, exact-scan codes); the graph's: graphMemoryBytes */
  get vectorMemoryBytes(): number {
    return this.floats.residentBytes + (this.codes?.byteLength ?? 0);
  }

  /** releases the vectors (and a file store's scratch file); the index is empty afterwards */
  close(): void {
    this.floats.close();
    this.codes = null;
    this.hnsw = null;
    this.rows = 0;
    this.rowFace = [];
    this.rowPerson = [];
    this.faceRow.clear();
    this.byHash.clear();
    this.labelFace = [];
    this.faceLabel.clear();
  }

  /** row r's float32 vector: a view in memory, the shared scratch row for a file store */
  private row(r: number): Float32Array {
    return this.floats.read(r, r + 1, this.scratch);
  }

  /** how the last exact searches went: int8 scans proven exact, and those that needed the float32 scan */
  readonly exactStats = { codeScans: 0, floatScans: 0 };

  private exactCandidates(query: Float32Array, k: number, metric: Metric): number[] {
    if (metric === 'cos' && this.codes && this.exactCodes && this.rows >= CODE_SCAN_MIN_ROWS) {
      const proven = this.codeScan(query, k);
      if (proven) {
        this.exactStats.codeScans++;
        return proven;
      }
    }
    this.exactStats.floatScans++;
    const count = Math.min(k, this.rows);
    if (this.floats instanceof MemoryRows) {
      const m = usearchLib().exactSearch(this.floats.read(0, this.rows), query, this.dims, count, metric as never, this.searchThreads) as { keys: BigUint64Array };
      return Array.from(m.keys, (x) => Number(x)).filter((r) => r < this.rows);
    }
    // a file store: scan block by block, keeping the best `count` of each
    const best: { row: number; d: number }[] = [];
    const buf = new Float32Array(FILE_SCAN_ROWS * this.dims);
    for (let from = 0; from < this.rows; from += FILE_SCAN_ROWS) {
      const to = Math.min(this.rows, from + FILE_SCAN_ROWS);
      const block = this.floats.read(from, to, buf);
      const m = usearchLib().exactSearch(block, query, this.dims, Math.min(count, to - from), metric as never, this.searchThreads) as { keys: BigUint64Array; distances: Float32Array };
      m.keys.forEach((key, i) => {
        if (Number(key) < to - from) best.push({ row: from + Number(key), d: m.distances[i] });
      });
      best.sort((a, b) => a.d - b.d);
      best.length = Math.min(best.length, count);
    }
    return best.map((b) => b.row);
  }

  /**
   * The k nearest rows by cos, from a scan of the int8 codes, or null when the codes cannot prove
   * it. Every row outside the `want` code-nearest has a code distance >= the last one's, hence a
   * true distance >= that minus the error bound; if the k-th best true distance among the
   * candidates is below that, no row outside can enter the top k.
   */
  private codeScan(query: Float32Array, k: number): number[] | null {
    const want = Math.min(this.rows, k + CODE_SCAN_EXTRA);
    const q = new Int8Array(this.dims);
    const queryError = quantizeI8(query, 0, this.dims, q, 0);
    const m = usearchLib().exactSearch(this.codes!.subarray(0, this.rows * this.dims), q, this.dims, want, 'cos' as never, this.searchThreads) as { keys: BigUint64Array; distances: Float32Array };
    const rows = Array.from(m.keys, (x) => Number(x));
    if (want === this.rows) return rows;
    let lastCode = 0;
    for (const d of m.distances) lastCode = Math.max(lastCode, d);
    const exact = rows.map((r) => distance('cos', query, this.row(r))).sort((a, b) => a - b);
    const kth = exact[Math.min(k, exact.length) - 1];
    return kth < lastCode - (this.codeErrorMax + queryError) - CODE_SCAN_SLACK ? rows : null;
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

  private sameBits(v: Float32Array, row: number): boolean {
    const stored = this.row(row);
    for (let j = 0; j < this.dims; j++) if (!Object.is(v[j], stored[j])) return false;
    return true;
  }

  private hashAdd(h: number, faceId: string): void {
    const cur = this.byHash.get(h);
    if (cur === undefined) this.byHash.set(h, faceId);
    else if (typeof cur === 'string') this.byHash.set(h, [cur, faceId]);
    else cur.push(faceId);
  }

  private hashRemove(h: number, faceId: string): void {
    const cur = this.byHash.get(h);
    if (cur === faceId) this.byHash.delete(h);
    else if (Array.isArray(cur)) {
      const rest = cur.filter((f) => f !== faceId);
      this.byHash.set(h, rest.length === 1 ? rest[0] : rest);
    }
  }

  private hashFaces(h: number): string[] {
    const cur = this.byHash.get(h);
    return cur === undefined ? [] : typeof cur === 'string' ? [cur] : cur;
  }

  /** where the vectors are: 'memory', or 'file' (asked for, or moved there by vectors: 'auto') */
  get vectorStore(): 'memory' | 'file' {
    return this.floats instanceof FileRows ? 'file' : 'memory';
  }

  private ensureCapacity(rows: number): void {
    // float32 rows and (cos) their int8 codes: 5 bytes per dimension
    const bytesPerRow = this.dims * (this.codes ? 5 : 4);
    if (this.memoryBudget !== null && this.floats instanceof MemoryRows && rows * bytesPerRow > this.memoryBudget) this.moveRowsToFile();
    this.floats.reserve(rows, this.rows);
    if (this.codes && rows * this.dims > this.codes.length) {
      // the same growth as the float rows: doubling while small, a quarter at a time once large
      const cap = grownCapacity(this.codes.length / this.dims, rows, this.dims);
      const nextCodes = new Int8Array(cap * this.dims);
      nextCodes.set(this.codes.subarray(0, this.rows * this.dims));
      this.codes = nextCodes;
    }
  }

  /**
   * vectors 'auto' past its budget: the rows are copied block by block into a scratch file and the
   * memory ones (with the exact-scan codes: the graph keeps its own int8 copy) are dropped, as if
   * the index had been made with vectors 'file'.
   */
  private moveRowsToFile(): void {
    let file: FileRows | undefined;
    try {
      file = new FileRows(this.dims, this.vectorDir);
      for (let a = 0; a < this.rows; a += FILE_SCAN_ROWS) file.write(a, this.floats.read(a, Math.min(this.rows, a + FILE_SCAN_ROWS)));
    } catch (e) {
      // the rows stay in memory, whole; the add that asked for room fails with the reason
      file?.close();
      throw new FacekitError('STORE_ERROR', `the gallery index's ${this.rows} vectors outgrew its memory budget (${this.memoryBudget} bytes) and could not move to a scratch file in ${this.vectorDir ?? 'the cache directory'}: ${(e as Error).message}`);
    }
    this.floats.close();
    this.floats = file;
    this.codes = null;
  }

  private newGraph(): NativeIndex {
    const h = this.hnswOpts;
    return newNativeIndex({
      dims: this.dims,
      metric: this.metric,
      quantization: h.quantization,
      connectivity: h.connectivity,
      expansionAdd: h.expansionAdd,
      expansionSearch: h.expansionSearch,
    });
  }

  private buildHnsw(): void {
    this.hnsw = this.newGraph();
    this.labelFace = [];
    this.faceLabel.clear();
    this.nextLabel = 0;
    this.hnswAddRows(0, this.rows, this.buildThreads);
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

  private hnswAddRows(from: number, to: number, threads = this.addThreads): void {
    const n = to - from;
    if (n <= 0) return;
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const label = this.nextLabel++;
      keys[i] = BigInt(label);
      const face = this.rowFace[from + i];
      this.labelFace[label] = face;
      this.faceLabel.set(face, label);
    }
    if (this.codes && this.ownCodes) {
      addToGraph(this.hnsw!, keys, this.codes.subarray(from * this.dims, to * this.dims), this.dims, threads, from);
      return;
    }
    // float rows, or (file store) codes made block by block from them
    for (let a = from; a < to; a += FILE_SCAN_ROWS) {
      const b = Math.min(to, a + FILE_SCAN_ROWS);
      const rows = this.floats.read(a, b);
      let vectors: Float32Array | Int8Array = rows;
      if (this.ownCodes) {
        vectors = new Int8Array(rows.length);
        for (let i = 0; i < b - a; i++) quantizeI8(rows, i * this.dims, this.dims, vectors, i * this.dims);
      }
      addToGraph(this.hnsw!, keys.subarray(a - from, b - from), vectors, this.dims, threads, a);
    }
  }

  /** the graph's label -> face id table (undefined for removed labels), for saving beside the graph */
  graphLabels(): (string | undefined)[] | null {
    return this.hnsw ? this.labelFace.slice(0, this.nextLabel) : null;
  }

  /** writes the HNSW graph (usearch's file format) to `path`; false when there is no graph */
  saveGraph(path: string): boolean {
    if (!this.hnsw) return false;
    this.hnsw.save(path);
    return true;
  }

  /**
   * Replaces the graph with one saved by saveGraph, whose labels are `labels`. Refused (false, the
   * index unchanged) unless the labels name exactly the faces stored here, each once, and the file
   * loads with that many vectors. A file that fails to load also gives false.
   */
  loadGraph(path: string, labels: (string | null | undefined)[]): boolean {
    const faceLabel = new Map<string, number>();
    labels.forEach((face, label) => {
      if (face != null) faceLabel.set(face, faceLabel.has(face) ? -1 : label);
    });
    if (faceLabel.size !== this.rows) return false;
    for (const [face, label] of faceLabel) if (label < 0 || !this.faceRow.has(face)) return false;
    const graph = this.newGraph();
    try {
      graph.load(path);
    } catch {
      return false;
    }
    if (graph.size() !== this.rows) return false;
    this.hnsw = graph;
    this.labelFace = labels.map((f) => f ?? undefined);
    this.faceLabel = faceLabel;
    this.nextLabel = labels.length;
    return true;
  }

  private dropHnsw(): void {
    this.hnsw = null;
    this.labelFace = [];
    this.faceLabel.clear();
  }
}

function byDistance(a: IndexHit, b: IndexHit): number {
  return a.distance - b.distance || (a.faceId < b.faceId ? -1 : 1);
}
