/**
 * Gallery benchmark on synthetic 512-d unit embeddings: identities are random unit centres, each
 * with FACES_PER_PERSON faces = centre + noise (renormalised); queries are fresh faces of enrolled
 * identities, so the nearest face is meaningful, as with real embeddings.
 *
 * For each size:
 *  - store+index: enrollPerson through a Gallery on a SQLite file (index in exact mode, so the
 *    figure is the store's); skipped above STORE_MAX (default 100k) where SQLite inserts dominate.
 *  - index alone: ModelIndex bulk insert in HNSW mode (the figure at 1M is the index alone), fed
 *    chunk by chunk: faces are generated per chunk from per-face seeds, the exact nearest face of
 *    every query is kept as a running best over the chunks (usearch exactSearch, float32), so a
 *    10M run never holds the faces (20 GB as float32) at all. Above BENCH_EXACT_MAX (1M) the index
 *    keeps its float32 vectors in a scratch file (`vectors: 'file'`) and no exact index is built.
 *  - identify latency p50/p99: exact scan (up to BENCH_EXACT_MAX) and HNSW (+float32 re-rank),
 *    one query at a time, at several breadths; recall@1 against the streamed exact truth.
 *  - insert rate per window of 100k faces (the trend that extrapolates to 10M), RSS, peak RSS,
 *    JS heap; graph file size, save and load time.
 *
 *   npx tsx bench/gallery.ts                 # 10k, 100k, 1M
 *   BENCH_SIZES=10000,100000 npx tsx bench/gallery.ts
 *   BENCH_SIZES=10000000 BENCH_BREADTHS=64,96,128 node --expose-gc --max-old-space-size=8192 --import tsx bench/gallery.ts
 *   # the same with BENCH_CHECKPOINT_DIR=/some/disk/dir: saved every 500k faces, resumed when run again
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { openGallery, ModelIndex, DEFAULT_HNSW, type HnswOptions } from '../src/gallery/index.ts';
import { newNativeIndex, usearchLib } from '../src/gallery/usearch-native.ts';

const DIMS = 512;
const FACES_PER_PERSON = 4;
const NOISE = 0.8;
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const STORE_MAX = Number(process.env.BENCH_STORE_MAX ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1000);
const HNSW: HnswOptions = {
  connectivity: Number(process.env.BENCH_M ?? DEFAULT_HNSW.connectivity),
  expansionAdd: Number(process.env.BENCH_EF_ADD ?? DEFAULT_HNSW.expansionAdd),
  expansionSearch: Number(process.env.BENCH_EF_SEARCH ?? DEFAULT_HNSW.expansionSearch),
  quantization: (process.env.BENCH_QUANT ?? DEFAULT_HNSW.quantization) as HnswOptions['quantization'],
  rerank: Number(process.env.BENCH_RERANK ?? DEFAULT_HNSW.rerank),
  fileRerank: Number(process.env.BENCH_FILE_RERANK ?? DEFAULT_HNSW.fileRerank),
};
const ADD_THREADS = Number(process.env.BENCH_ADD_THREADS ?? 2);
/** where the HNSW index keeps its float32 vectors: default 'memory' up to BENCH_EXACT_MAX faces, 'file' above */
const VECTORS = process.env.BENCH_VECTORS as 'memory' | 'file' | undefined;
/** directory for the 'file' vectors and the saved graph (default: the OS temp dir) */
const VECTOR_DIR = process.env.BENCH_VECTOR_DIR;
/** graph candidates re-ranked per query (usearch searches with ef = max(expansion_search, candidates)) */
/** only the exact scans (int8 codes with proof vs float32), no store and no graph */
const EXACT_ONLY = process.env.BENCH_EXACT_ONLY === '1';
const BREADTHS = (process.env.BENCH_BREADTHS ?? '32,64,128,256').split(',').map(Number);

/**
 * Faces are generated deterministically one by one (each from its own seed), so any block of them
 * can be made on its own: a 10M-face run streams them in chunks and never holds them all.
 * Face i belongs to identity i % people; an identity's centre comes from its own seed too.
 */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 1;
}
let seed = 12345;
function reseed(a: number, b: number): void {
  seed = mix(a, b);
  for (let i = 0; i < 4; i++) rand();
}
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
function gauss(): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}
function unit(out: Float32Array, off: number, centre?: Float32Array, cOff = 0): void {
  let n = 0;
  for (let j = 0; j < DIMS; j++) {
    const v = centre ? centre[cOff + j] + (NOISE / Math.sqrt(DIMS)) * gauss() : gauss() / Math.sqrt(DIMS);
    out[off + j] = v;
    n += v * v;
  }
  n = Math.sqrt(n);
  for (let j = 0; j < DIMS; j++) out[off + j] /= n;
}

const LATENT = Number(process.env.BENCH_LATENT ?? 64);
reseed(0, 7);
const basis = new Float32Array(LATENT * DIMS);
for (let i = 0; i < basis.length; i++) basis[i] = gauss();

const SALT_PERSON = 1;
const SALT_FACE = 2;
const SALT_QUERY = 3;
const centreBuf = new Float32Array(DIMS);
const latent = new Float32Array(LATENT);
/** identity p's unit centre; with LATENT < DIMS from a LATENT-d subspace: impostor cosines spread ~1/sqrt(LATENT), as in real embeddings */
function centreOf(p: number): Float32Array {
  reseed(SALT_PERSON, p);
  if (LATENT >= DIMS) {
    unit(centreBuf, 0);
    return centreBuf;
  }
  for (let l = 0; l < LATENT; l++) latent[l] = gauss();
  centreBuf.fill(0);
  for (let l = 0; l < LATENT; l++) {
    const z = latent[l];
    const o = l * DIMS;
    for (let j = 0; j < DIMS; j++) centreBuf[j] += z * basis[o + j];
  }
  let norm = 0;
  for (let j = 0; j < DIMS; j++) norm += centreBuf[j] * centreBuf[j];
  norm = Math.sqrt(norm);
  for (let j = 0; j < DIMS; j++) centreBuf[j] /= norm;
  return centreBuf;
}
/** faces [from, to) of a gallery of `people` identities, row-major */
function faceBlock(from: number, to: number, people: number): Float32Array {
  const out = new Float32Array((to - from) * DIMS);
  for (let i = from; i < to; i++) {
    const c = centreOf(i % people);
    reseed(SALT_FACE, i);
    unit(out, (i - from) * DIMS, c);
  }
  return out;
}
/** fresh faces of enrolled identities (the same for every run of a size) */
function queryBlock(nq: number, people: number): Float32Array {
  const out = new Float32Array(nq * DIMS);
  for (let q = 0; q < nq; q++) {
    reseed(SALT_QUERY, q);
    const p = Math.floor(rand() * people);
    const c = centreOf(p);
    reseed(SALT_QUERY, q + 0x40000000);
    unit(out, q * DIMS, c);
  }
  return out;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
/** the process's peak RSS so far (Linux VmHWM), MB */
function peakRssMb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

interface BreadthRow {
  breadth: number;
  hnswP50Ms: number;
  hnswP99Ms: number;
  recallAt1Face: number;
  recallAt1Person: number;
}

interface Row {
  faces: number;
  generator?: string;
  vectors?: 'memory' | 'file';
  hnswBuildSeconds?: number;
  buildTrend?: { faces: number; perSecLastWindow: number; perSecSoFar: number; rssMb: number; loadAverage1m?: number }[];
  /** faces in the graph when a checkpointed build was resumed (a build run in parts) */
  resumedAt?: number[];
  extrapolated?: ReturnType<typeof extrapolate>;
  openBuildSeconds?: number | null;
  openLoadSeconds?: number | null;
  graphFileMb?: number;
  graphSaveSeconds?: number;
  graphLoadSeconds?: number;
  breadths?: BreadthRow[];
  storeEnrollPerSec: number | null;
  storeEnrollNote: string;
  hnswBuildPerSec: number;
  exactP50Ms: number | null;
  exactP99Ms: number | null;
  hnswP50Ms: number;
  hnswP99Ms: number;
  recallAt1Face: number;
  recallAt1Person: number;
  rssMbAfterIndex: number;
  rssMbPeak?: number | null;
  heapMbAfterIndex?: number;
  vectorMemoryMb?: number;
  rssMbAfterStore: number | null;
  queries: number;
  hnsw: HnswOptions;
  loadAverage1m: number;
}

/**
 * Insert time at a size N, extrapolated from the measured windows: seconds per insert fitted as
 * a + b ln(n) (HNSW insert cost grows with the log of the graph's size; later windows weigh the
 * same as early ones), summed from the last measured size to N, plus the measured time so far.
 * RSS: the last window's growth per face, carried on linearly. An estimate, not a measurement.
 */
function extrapolate(trend: NonNullable<Row['buildTrend']>, measuredSeconds: number, target: number): { faces: number; buildSeconds: number; rssMb: number; fit: { a: number; b: number } } | null {
  const pts = trend.slice(1).map((w, i) => ({ x: Math.log((w.faces + trend[i].faces) / 2), y: 1 / w.perSecLastWindow }));
  if (pts.length < 3) return null;
  const mx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const my = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const b = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const a = my - b * mx;
  const last = trend[trend.length - 1];
  // integral of a + b ln n dn from last.faces to target
  const F = (n: number) => a * n + b * (n * Math.log(n) - n);
  const buildSeconds = measuredSeconds + Math.max(0, F(target) - F(last.faces));
  const prev = trend[trend.length - 2];
  const perFace = (last.rssMb - prev.rssMb) / (last.faces - prev.faces);
  return { faces: target, buildSeconds: Math.round(buildSeconds), rssMb: Math.round(last.rssMb + perFace * (target - last.faces)), fit: { a, b } };
}

/** faces generated, searched for truth and inserted per step */
const CHUNK = 20_000;
/**
 * A directory where a long build (10M faces: hours) saves its graph and progress every
 * BENCH_CHECKPOINT_EVERY faces, and resumes from when started again with the same settings:
 * the faces come from per-face seeds, so only the graph, the running truth and the timings are kept.
 */
const CHECKPOINT_DIR = process.env.BENCH_CHECKPOINT_DIR;
const CHECKPOINT_EVERY = Number(process.env.BENCH_CHECKPOINT_EVERY ?? 500_000);
if (CHECKPOINT_EVERY % CHUNK !== 0) throw new Error(`BENCH_CHECKPOINT_EVERY must be a multiple of ${CHUNK}`);

interface BuildState {
  done: number;
  truthDist: number[];
  truthRow: number[];
  buildTrend: NonNullable<Row['buildTrend']>;
  genSeconds: number;
  truthSeconds: number;
  addSeconds: number;
  lastMark: { done: number; add: number };
  resumedAt: number[];
}

/** graph + state, each written to a temporary name and renamed, state last: a cut-off run leaves the previous checkpoint whole */
class BuildCheckpoint {
  readonly graphFile: string;
  private readonly stateFile: string;
  private readonly settings: string;

  constructor(dir: string, settings: object) {
    mkdirSync(dir, { recursive: true });
    this.graphFile = join(dir, 'graph.usearch');
    this.stateFile = join(dir, 'state.json');
    this.settings = JSON.stringify(settings);
  }

  read(): BuildState | null {
    if (!existsSync(this.stateFile) || !existsSync(this.graphFile)) return null;
    const s = JSON.parse(readFileSync(this.stateFile, 'utf8')) as { settings: string; state: BuildState };
    if (s.settings !== this.settings) throw new Error(`checkpoint ${this.stateFile} was made with other settings (${s.settings}); remove it or run with those`);
    return s.state;
  }

  write(index: ModelIndex, state: BuildState): void {
    index.saveGraph(`${this.graphFile}.tmp`);
    renameSync(`${this.graphFile}.tmp`, this.graphFile);
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify({ settings: this.settings, state }));
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }

  clear(): void {
    rmSync(this.stateFile, { force: true });
    rmSync(this.graphFile, { force: true });
  }
}

/** above this size no in-memory exact index is built beside the graph (truth is streamed anyway) */
const EXACT_MAX = Number(process.env.BENCH_EXACT_MAX ?? 1_000_000);
/** the size the build time and RSS are extrapolated to from the measured trend */
const EXTRAPOLATE_TO = Number(process.env.BENCH_EXTRAPOLATE_TO ?? 10_000_000);

async function benchSize(n: number): Promise<Row | null> {
  const people = n / FACES_PER_PERSON;
  const personOf = (i: number) => `p${i % people}`;
  const nq = QUERIES;
  const queries = queryBlock(nq, people);
  const vec = (arr: Float32Array, i: number) => arr.subarray(i * DIMS, (i + 1) * DIMS);
  /** the index entries of faces [from, to), whose vectors are `block` */
  const entriesOf = (block: Float32Array, from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => ({ faceId: `f${from + k}`, personId: personOf(from + k), vector: vec(block, k) }));

  if (EXACT_ONLY) return exactOnly(n, faceBlock(0, n, people), queries, nq, personOf);

  // store + index through the Gallery
  let storeEnrollPerSec: number | null = null;
  let storeNote = `skipped above ${STORE_MAX} faces: index alone measured`;
  let rssAfterStore: number | null = null;
  let openBuildSeconds: number | null = null;
  let openLoadSeconds: number | null = null;
  if (n <= STORE_MAX) {
    const faces = faceBlock(0, n, people);
    const dir = mkdtempSync(join(tmpdir(), 'facekit-bench-'));
    const g = await openGallery(join(dir, 'g.db'), { encryptionKey: null, index: { mode: 'exact' } });
    const t0 = performance.now();
    for (let p = 0; p < people; p++) {
      const fs = [];
      for (let k = 0; k < FACES_PER_PERSON; k++) fs.push({ model: 'bench', embedding: vec(faces, p + k * people) });
      await g.enrollPerson({ name: `person ${p}` }, fs);
    }
    storeEnrollPerSec = n / ((performance.now() - t0) / 1000);
    storeNote = `SQLite (WAL) + exact index, one transaction per person of ${FACES_PER_PERSON} faces`;
    rssAfterStore = rssMb();
    await g.close();
    // opening the same file with HNSW: the first open builds the graph (and saves it), the second loads it
    for (const phase of ['build', 'load'] as const) {
      const t = performance.now();
      const h = await openGallery(join(dir, 'g.db'), { encryptionKey: null, index: { mode: 'hnsw' } });
      const s = (performance.now() - t) / 1000;
      const origin = h.models()[0]?.graphOrigin ?? null;
      await h.close();
      if (phase === 'build') openBuildSeconds = +s.toFixed(2);
      else openLoadSeconds = +s.toFixed(2);
      console.log(`  ${n}: open with HNSW ${s.toFixed(1)} s (${origin})`);
    }
    rmSync(dir, { recursive: true, force: true });
    console.log(`  ${n}: store+index enroll ${storeEnrollPerSec.toFixed(0)} faces/s, RSS ${rssAfterStore} MB`);
  }

  // one pass over the faces, chunk by chunk: exact truth for every query (running best), the
  // in-memory exact index (small sizes only, for its latency) and the HNSW index
  const vectors = VECTORS ?? (n > EXACT_MAX ? 'file' : 'memory');
  const exact = n <= EXACT_MAX ? new ModelIndex('bench', DIMS, { mode: 'exact' }) : null;
  const hnsw = new ModelIndex('bench', DIMS, { mode: 'hnsw', hnsw: HNSW, addThreads: ADD_THREADS, vectors, vectorDir: VECTOR_DIR });
  const truthDist = new Float32Array(nq).fill(Infinity);
  const truthRow = new Int32Array(nq).fill(-1);
  let buildTrend: NonNullable<Row['buildTrend']> = [];
  let genSeconds = 0;
  let truthSeconds = 0;
  let addSeconds = 0;
  let lastMark = { done: 0, add: 0 };
  let start = 0;
  let resumedAt: number[] = [];
  const checkpoint = CHECKPOINT_DIR ? new BuildCheckpoint(CHECKPOINT_DIR, { faces: n, hnsw: HNSW, queries: nq, dims: DIMS, latent: LATENT, noise: NOISE, facesPerPerson: FACES_PER_PERSON }) : null;
  const saved = checkpoint?.read();
  if (saved) {
    // the faces already in the saved graph, made again from their seeds (float rows only, no graph work)
    const tr = performance.now();
    for (let i = 0; i < saved.done; i += CHUNK) {
      const end = Math.min(saved.done, i + CHUNK);
      const block = faceBlock(i, end, people);
      hnsw.add(entriesOf(block, i, end), { deferGraph: true });
    }
    const labels = Array.from({ length: saved.done }, (_, j) => `f${j}`);
    if (!hnsw.loadGraph(checkpoint!.graphFile, labels)) throw new Error(`checkpoint ${checkpoint!.graphFile}: the saved graph does not load with ${saved.done} faces`);
    truthDist.set(saved.truthDist);
    truthRow.set(saved.truthRow);
    ({ buildTrend, genSeconds, truthSeconds, addSeconds, lastMark } = saved);
    resumedAt = [...(saved.resumedAt ?? []), saved.done];
    start = saved.done;
    console.log(`  ${n}: resumed from ${CHECKPOINT_DIR} at ${start} faces (${addSeconds.toFixed(0)} s of inserts so far; rows and graph restored in ${((performance.now() - tr) / 1000).toFixed(0)} s)`);
  }
  const tb = performance.now();
  for (let i = start; i < n; i += CHUNK) {
    const end = Math.min(n, i + CHUNK);
    let t = performance.now();
    const block = faceBlock(i, end, people);
    genSeconds += (performance.now() - t) / 1000;
    t = performance.now();
    const m = usearchLib().exactSearch(block, queries, DIMS, 1, 'cos' as never, 0) as unknown as { keys: BigUint64Array; distances: Float32Array };
    for (let q = 0; q < nq; q++) {
      if (m.distances[q] < truthDist[q]) {
        truthDist[q] = m.distances[q];
        truthRow[q] = i + Number(m.keys[q]);
      }
    }
    truthSeconds += (performance.now() - t) / 1000;
    const entries = entriesOf(block, i, end);
    exact?.add(entries);
    t = performance.now();
    hnsw.add(entries);
    addSeconds += (performance.now() - t) / 1000;
    if (n >= 100_000 && (end / CHUNK) % 5 === 0) {
      const s = (performance.now() - tb) / 1000;
      const windowRate = (end - lastMark.done) / (addSeconds - lastMark.add);
      buildTrend.push({ faces: end, perSecLastWindow: Math.round(windowRate), perSecSoFar: Math.round(end / addSeconds), rssMb: rssMb(), loadAverage1m: +loadavg()[0].toFixed(1) });
      lastMark = { done: end, add: addSeconds };
      console.log(`    hnsw ${end}/${n} after ${s.toFixed(0)} s (inserts ${(end / addSeconds).toFixed(0)}/s, last ${windowRate.toFixed(0)}/s; generate ${genSeconds.toFixed(0)} s, truth ${truthSeconds.toFixed(0)} s; ETA ${(((n - end) * s) / (end - start) / 60).toFixed(1)} min, RSS ${rssMb()} MB, load ${loadavg()[0].toFixed(1)})`);
    }
    if (checkpoint && end < n && end % CHECKPOINT_EVERY === 0) {
      checkpoint.write(hnsw, { done: end, truthDist: [...truthDist], truthRow: [...truthRow], buildTrend, genSeconds, truthSeconds, addSeconds, lastMark, resumedAt });
      console.log(`    checkpoint at ${end} faces written to ${CHECKPOINT_DIR}`);
    }
  }
  checkpoint?.clear();
  const hnswBuildSeconds = addSeconds;
  const toTarget = EXTRAPOLATE_TO > n ? extrapolate(buildTrend, addSeconds, EXTRAPOLATE_TO) : null;
  if (toTarget) console.log(`  ${n}: EXTRAPOLATED to ${EXTRAPOLATE_TO} faces: inserts ${(toTarget.buildSeconds / 3600).toFixed(1)} h, RSS after build ~${(toTarget.rssMb / 1024).toFixed(1)} GB (fit from ${buildTrend.length} windows; not measured)`);
  const hnswBuildPerSec = n / hnswBuildSeconds;
  const rssAfterIndex = rssMb();
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const vectorMemoryMb = Math.round(hnsw.vectorMemoryBytes / 2 ** 20);
  console.log(`  ${n}: HNSW inserts ${hnswBuildSeconds.toFixed(0)} s (${hnswBuildPerSec.toFixed(0)}/s; faces generated in ${genSeconds.toFixed(0)} s, truth ${truthSeconds.toFixed(0)} s), RSS ${rssAfterIndex} MB (JS heap ${heapMb} MB, float rows + codes in RAM ${vectorMemoryMb} MB, vectors: ${vectors})`);

  const te: number[] = [];
  if (exact) {
    for (let q = 0; q < nq; q++) {
      const t = performance.now();
      const h = exact.search(vec(queries, q), 1)[0];
      te.push(performance.now() - t);
      if (h.faceId !== `f${truthRow[q]}` && Math.abs(h.distance - truthDist[q]) > 1e-5) throw new Error(`query ${q}: exact index ${h.faceId} vs streamed truth f${truthRow[q]}`);
    }
    exact.close();
  }
  const breadths: BreadthRow[] = [];
  for (const breadth of BREADTHS) {
    const tq: number[] = [];
    let fHit = 0;
    let pHit = 0;
    for (let q = 0; q < nq; q++) {
      const t = performance.now();
      const h = hnsw.search(vec(queries, q), 1, { breadth });
      tq.push(performance.now() - t);
      if (h[0].faceId === `f${truthRow[q]}`) fHit++;
      if (h[0].personId === personOf(truthRow[q])) pHit++;
    }
    breadths.push({ breadth, hnswP50Ms: +pct(tq, 50).toFixed(3), hnswP99Ms: +pct(tq, 99).toFixed(3), recallAt1Face: +(fHit / nq).toFixed(4), recallAt1Person: +(pHit / nq).toFixed(4) });
    console.log(`  ${n}: breadth ${breadth}: p50 ${pct(tq, 50).toFixed(2)} ms p99 ${pct(tq, 99).toFixed(2)} ms, recall@1 face ${(fHit / nq).toFixed(4)} person ${(pHit / nq).toFixed(4)} (load ${loadavg()[0].toFixed(1)})`);
  }
  const main = breadths.find((b) => b.breadth === HNSW.rerank) ?? breadths[0];
  if (exact) console.log(`  ${n}: exact p50 ${pct(te, 50).toFixed(2)} ms`);

  // persistence cost: save the graph, drop the index, load the file into a fresh native index
  const gdir = mkdtempSync(join(VECTOR_DIR ?? tmpdir(), 'facekit-bench-graph-'));
  const gfile = join(gdir, 'graph.usearch');
  let t0 = performance.now();
  hnsw.saveGraph(gfile);
  const graphSaveSeconds = (performance.now() - t0) / 1000;
  const graphFileMb = Math.round(statSync(gfile).size / 2 ** 20);
  hnsw.close();
  (globalThis as { gc?: () => void }).gc?.();
  t0 = performance.now();
  const reloaded = newNativeIndex({ dims: DIMS, metric: 'cos', quantization: HNSW.quantization ?? 'i8', connectivity: HNSW.connectivity ?? 12, expansionAdd: HNSW.expansionAdd ?? 40, expansionSearch: HNSW.expansionSearch ?? 128 });
  reloaded.load(gfile);
  const graphLoadSeconds = (performance.now() - t0) / 1000;
  if (reloaded.size() !== n) throw new Error(`reloaded graph has ${reloaded.size()} of ${n}`);
  rmSync(gdir, { recursive: true, force: true });
  const peak = peakRssMb();
  console.log(`  ${n}: graph file ${graphFileMb} MB, save ${graphSaveSeconds.toFixed(1)} s, load ${graphLoadSeconds.toFixed(1)} s; peak RSS ${peak} MB`);
  return {
    faces: n,
    generator: 'per-face seeds (2026-12)',
    vectors,
    hnswBuildSeconds: +hnswBuildSeconds.toFixed(1),
    buildTrend,
    ...(resumedAt.length ? { resumedAt } : {}),
    extrapolated: toTarget,
    openBuildSeconds,
    openLoadSeconds,
    graphFileMb,
    graphSaveSeconds: +graphSaveSeconds.toFixed(2),
    graphLoadSeconds: +graphLoadSeconds.toFixed(2),
    breadths,
    storeEnrollPerSec: storeEnrollPerSec && Math.round(storeEnrollPerSec),
    storeEnrollNote: storeNote,
    hnswBuildPerSec: Math.round(hnswBuildPerSec),
    exactP50Ms: exact ? +pct(te, 50).toFixed(3) : null,
    exactP99Ms: exact ? +pct(te, 99).toFixed(3) : null,
    hnswP50Ms: main.hnswP50Ms,
    hnswP99Ms: main.hnswP99Ms,
    recallAt1Face: main.recallAt1Face,
    recallAt1Person: main.recallAt1Person,
    rssMbAfterIndex: rssAfterIndex,
    rssMbPeak: peak,
    heapMbAfterIndex: heapMb,
    vectorMemoryMb,
    rssMbAfterStore: rssAfterStore,
    queries: nq,
    hnsw: HNSW,
    loadAverage1m: +loadavg()[0].toFixed(1),
  };
}

interface ExactRow {
  faces: number;
  queries: number;
  int8ProvenP50Ms: number;
  int8ProvenP99Ms: number;
  float32P50Ms: number;
  float32P99Ms: number;
  provenShare: number;
  sameTop5: number;
  loadAverage1m: number;
}
const exactRows: ExactRow[] = [];

/** exact search both ways, interleaved query by query so both see the same machine load */
function exactOnly(n: number, faces: Float32Array, queries: Float32Array, nq: number, personOf: (i: number) => string): null {
  const codes = new ModelIndex('bench', DIMS, { mode: 'exact' });
  const float = new ModelIndex('bench', DIMS, { mode: 'exact', exactCodes: false });
  const CHUNK = 20_000;
  for (let i = 0; i < n; i += CHUNK) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + CHUNK); j++) batch.push({ faceId: `f${j}`, personId: personOf(j), vector: faces.subarray(j * DIMS, (j + 1) * DIMS) });
    codes.add(batch);
    float.add(batch);
  }
  const tc: number[] = [];
  const tf: number[] = [];
  let same = 0;
  const m = Math.min(nq, 300);
  for (let q = 0; q < m; q++) {
    const v = queries.subarray(q * DIMS, (q + 1) * DIMS);
    let t = performance.now();
    const a = codes.search(v, 5);
    tc.push(performance.now() - t);
    t = performance.now();
    const b = float.search(v, 5);
    tf.push(performance.now() - t);
    if (a.map((h) => h.faceId).join() === b.map((h) => h.faceId).join()) same++;
  }
  const row: ExactRow = {
    faces: n,
    queries: m,
    int8ProvenP50Ms: +pct(tc, 50).toFixed(2),
    int8ProvenP99Ms: +pct(tc, 99).toFixed(2),
    float32P50Ms: +pct(tf, 50).toFixed(2),
    float32P99Ms: +pct(tf, 99).toFixed(2),
    provenShare: +(codes.exactStats.codeScans / m).toFixed(4),
    sameTop5: +(same / m).toFixed(4),
    loadAverage1m: +loadavg()[0].toFixed(1),
  };
  console.log(`  ${n}: exact top-5 p50 int8+proof ${row.int8ProvenP50Ms} ms vs float32 ${row.float32P50Ms} ms; proven ${row.provenShare}; same top-5 ${row.sameTop5}`);
  exactRows.push(row);
  return null;
}

/** sizes run separately (BENCH_SIZES) are merged into one file: a size's row replaces its older one */
function writeResults(): void {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL('./results/gallery.json', import.meta.url);
  const old: Row[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).results ?? []) : [];
  const oldJson = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const merged = [...old.filter((o) => !rows.some((r) => r.faces === o.faces)), ...rows].sort((a, b) => a.faces - b.faces);
  const oldExact: ExactRow[] = oldJson.exactScan?.results ?? [];
  const exactMerged = [...oldExact.filter((o) => !exactRows.some((r) => r.faces === o.faces)), ...exactRows].sort((a, b) => a.faces - b.faces);
  writeFileSync(
    new URL('./results/gallery.json', import.meta.url),
    JSON.stringify(
      {
        bench: 'gallery',
        started,
        finished: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverageAtEnd: loadavg(), node: process.version },
        data: { dims: DIMS, facesPerPerson: FACES_PER_PERSON, noise: NOISE, identityLatentDims: LATENT, metric: 'cos' },
        hnsw: HNSW,
        addThreads: ADD_THREADS,
        notes: [
          'storeEnrollPerSec: Gallery.enrollPerson on SQLite (WAL, synchronous=NORMAL) with the exact index; null where skipped',
          'hnswBuildPerSec: ModelIndex bulk insert in HNSW mode, index alone (no store)',
          'latencies: one query at a time, topK=1; HNSW includes the float32 re-rank of `rerank` candidates',
          'recallAt1Face: HNSW nearest face == exact nearest face; recallAt1Person: same best person',
          'RSS: whole process after the build (rows of the 2026-12 generator: faces streamed in chunks, never all held; an in-memory exact index only up to BENCH_EXACT_MAX); rssMbPeak: VmHWM at the end (includes the reloaded graph); heapMbAfterIndex: JS heap; vectorMemoryMb: float rows + codes the HNSW index holds in RAM (0 with vectors: file)',
          'vectors: where the HNSW index keeps its float32 rows (memory, or a scratch file re-read for the fileRerank nearest graph candidates)',
          'buildTrend: insert rate over each window of 100k faces (perSecLastWindow) and so far, RSS and the load average, for extrapolating the build to larger sizes',
          'resumedAt: a build run in parts (BENCH_CHECKPOINT_DIR): the face counts at which it was resumed from its saved graph; insert seconds are summed over the parts',
          'rows with generator per-face seeds (2026-12): each face and identity from its own seed (so chunks can be made alone); older rows used one sequential stream (same distribution, different draws)',
          'hnswBuildSeconds: time inside ModelIndex.add in HNSW mode (excludes generating faces and the streamed truth)',
          'openBuildSeconds / openLoadSeconds: openGallery on the SQLite file with HNSW, first open (reads the store, builds and saves the graph) and second (loads the saved graph)',
          'graphFileMb / graphSaveSeconds / graphLoadSeconds: the graph written with usearch save and read back with load (its size in memory is about the file size)',
          'breadths: the same queries with `breadth` graph candidates re-ranked in float32 (usearch searches with ef = max(expansion_search, breadth))',
        ],
        results: merged,
        exactScan: {
          note: 'BENCH_EXACT_ONLY=1: exact top-5, int8 codes + float32 re-rank with the error-bound proof (falls back to float32 when unproven) vs the float32 scan alone, interleaved per query; usearch exactSearch, 2 threads',
          results: exactMerged,
        },
      },
      null,
      2,
    ) + '\n',
  );
}

const rows: Row[] = [];
const started = new Date().toISOString();
console.log(`gallery bench: ${DIMS}-d, identities from a ${LATENT}-d latent space, ${FACES_PER_PERSON} faces/person, HNSW ${JSON.stringify(HNSW)}, add threads ${ADD_THREADS}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`);
for (const n of SIZES) {
  console.log(`size ${n} ...`);
  const row = await benchSize(n);
  if (row) rows.push(row);
  writeResults();
  if (global.gc) global.gc();
}

console.log('');
console.log('faces     store+idx/s  hnsw build/s  exact p50/p99 ms   hnsw p50/p99 ms  recall@1 face/person  RSS MB');
for (const r of rows) {
  console.log(
    `${String(r.faces).padEnd(9)} ${String(r.storeEnrollPerSec ?? '-').padStart(11)}  ${String(r.hnswBuildPerSec).padStart(12)}  ` +
      `${(r.exactP50Ms === null || r.exactP99Ms === null ? '-' : r.exactP50Ms.toFixed(2) + ' / ' + r.exactP99Ms.toFixed(2)).padStart(16)}  ${(r.hnswP50Ms.toFixed(3) + ' / ' + r.hnswP99Ms.toFixed(3)).padStart(15)}  ` +
      `${(r.recallAt1Face.toFixed(3) + ' / ' + r.recallAt1Person.toFixed(3)).padStart(20)}  ${r.rssMbAfterIndex}`,
  );
}
console.log('wrote bench/results/gallery.json');
