/**
 * Gallery benchmark on synthetic 512-d unit embeddings: identities are random unit centres, each
 * with FACES_PER_PERSON faces = centre + noise (renormalised); queries are fresh faces of enrolled
 * identities, so the nearest face is meaningful, as with real embeddings.
 *
 * For each size:
 *  - store+index: enrollPerson through a Gallery on a SQLite file (index in exact mode, so the
 *    figure is the store's); skipped above STORE_MAX (default 100k) where SQLite inserts dominate.
 *  - index alone: ModelIndex bulk insert in HNSW mode (the figure at 1M is the index alone).
 *  - identify latency p50/p99: exact scan and HNSW (+float32 re-rank), one query at a time.
 *  - recall@1 of HNSW against exact: same nearest face, and same best person.
 *  - RSS after each step.
 *
 *   npx tsx bench/gallery.ts                 # 10k, 100k, 1M
 *   BENCH_SIZES=10000,100000 npx tsx bench/gallery.ts
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { openGallery, ModelIndex, DEFAULT_HNSW, type HnswOptions } from '../src/gallery/index.ts';
import { newNativeIndex } from '../src/gallery/usearch-native.ts';

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
};
const ADD_THREADS = Number(process.env.BENCH_ADD_THREADS ?? 2);
/** graph candidates re-ranked per query (usearch searches with ef = max(expansion_search, candidates)) */
/** only the exact scans (int8 codes with proof vs float32), no store and no graph */
const EXACT_ONLY = process.env.BENCH_EXACT_ONLY === '1';
const BREADTHS = (process.env.BENCH_BREADTHS ?? '32,64,128,256').split(',').map(Number);

let seed = 12345;
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
const basis = new Float32Array(LATENT * DIMS);
for (let i = 0; i < basis.length; i++) basis[i] = gauss();

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
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
  hnswBuildSeconds?: number;
  openBuildSeconds?: number | null;
  openLoadSeconds?: number | null;
  graphFileMb?: number;
  graphSaveSeconds?: number;
  graphLoadSeconds?: number;
  breadths?: BreadthRow[];
  storeEnrollPerSec: number | null;
  storeEnrollNote: string;
  hnswBuildPerSec: number;
  exactP50Ms: number;
  exactP99Ms: number;
  hnswP50Ms: number;
  hnswP99Ms: number;
  recallAt1Face: number;
  recallAt1Person: number;
  rssMbAfterIndex: number;
  rssMbAfterStore: number | null;
  queries: number;
  hnsw: HnswOptions;
  loadAverage1m: number;
}

async function benchSize(n: number): Promise<Row | null> {
  const people = n / FACES_PER_PERSON;
  const centres = new Float32Array(people * DIMS);
  if (LATENT >= DIMS) {
    for (let p = 0; p < people; p++) unit(centres, p * DIMS);
  } else {
    // identities from a LATENT-d subspace: impostor cosines spread ~1/sqrt(LATENT), as in real embeddings
    const z = new Float32Array(LATENT);
    for (let p = 0; p < people; p++) {
      for (let l = 0; l < LATENT; l++) z[l] = gauss();
      let norm = 0;
      for (let j = 0; j < DIMS; j++) {
        let v = 0;
        for (let l = 0; l < LATENT; l++) v += z[l] * basis[l * DIMS + j];
        centres[p * DIMS + j] = v;
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      for (let j = 0; j < DIMS; j++) centres[p * DIMS + j] /= norm;
    }
  }
  const faces = new Float32Array(n * DIMS);
  for (let i = 0; i < n; i++) unit(faces, i * DIMS, centres, (i % people) * DIMS);
  const personOf = (i: number) => `p${i % people}`;
  const nq = QUERIES;
  const queries = new Float32Array(nq * DIMS);
  for (let q = 0; q < nq; q++) unit(queries, q * DIMS, centres, Math.floor(rand() * people) * DIMS);
  const vec = (arr: Float32Array, i: number) => arr.subarray(i * DIMS, (i + 1) * DIMS);

  if (EXACT_ONLY) return exactOnly(n, faces, queries, nq, personOf);

  // store + index through the Gallery
  let storeEnrollPerSec: number | null = null;
  let storeNote = `skipped above ${STORE_MAX} faces: index alone measured`;
  let rssAfterStore: number | null = null;
  let openBuildSeconds: number | null = null;
  let openLoadSeconds: number | null = null;
  if (n <= STORE_MAX) {
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

  const exact = new ModelIndex('bench', DIMS, { mode: 'exact' });
  const hnsw = new ModelIndex('bench', DIMS, { mode: 'hnsw', hnsw: HNSW, addThreads: ADD_THREADS });
  const CHUNK = 20_000;
  const entries = (from: number, to: number) => {
    const out = [];
    for (let i = from; i < to; i++) out.push({ faceId: `f${i}`, personId: personOf(i), vector: vec(faces, i) });
    return out;
  };
  for (let i = 0; i < n; i += CHUNK) exact.add(entries(i, Math.min(n, i + CHUNK)));
  const rssBeforeGraph = rssMb();
  // the HNSW ModelIndex also holds its own float32 matrix (rows rounded up to a power of two from 1024)
  let capRows = 1024;
  while (capRows < n) capRows *= 2;
  const matrixMb = Math.round((capRows * DIMS * 4) / 2 ** 20);
  const tb = performance.now();
  for (let i = 0; i < n; i += CHUNK) {
    hnsw.add(entries(i, Math.min(n, i + CHUNK)));
    const done = Math.min(n, i + CHUNK);
    if (n >= 100_000 && (done / CHUNK) % 5 === 0) {
      const s = (performance.now() - tb) / 1000;
      console.log(`    hnsw ${done}/${n} after ${s.toFixed(0)} s (${(done / s).toFixed(0)}/s, ETA ${(((n - done) * s) / done / 60).toFixed(1)} min, load ${loadavg()[0].toFixed(1)})`);
    }
  }
  const hnswBuildSeconds = (performance.now() - tb) / 1000;
  const hnswBuildPerSec = n / hnswBuildSeconds;
  const rssAfterIndex = rssMb();
  // RSS growth over the build is not the graph's size (GC and freed pages mix in); graphFileMb is
  console.log(`  ${n}: HNSW built in ${hnswBuildSeconds.toFixed(0)} s, RSS ${rssBeforeGraph} -> ${rssAfterIndex} MB (float32 matrix ${matrixMb} MB)`);
  // persistence cost: save the graph, load it into a fresh native index
  const gdir = mkdtempSync(join(tmpdir(), 'facekit-bench-graph-'));
  const gfile = join(gdir, 'graph.usearch');
  let t0 = performance.now();
  hnsw.saveGraph(gfile);
  const graphSaveSeconds = (performance.now() - t0) / 1000;
  const graphFileMb = Math.round(statSync(gfile).size / 2 ** 20);
  t0 = performance.now();
  const reloaded = newNativeIndex({ dims: DIMS, metric: 'cos', quantization: HNSW.quantization ?? 'i8', connectivity: HNSW.connectivity ?? 12, expansionAdd: HNSW.expansionAdd ?? 40, expansionSearch: HNSW.expansionSearch ?? 128 });
  reloaded.load(gfile);
  const graphLoadSeconds = (performance.now() - t0) / 1000;
  if (reloaded.size() !== n) throw new Error(`reloaded graph has ${reloaded.size()} of ${n}`);
  rmSync(gdir, { recursive: true, force: true });
  console.log(`  ${n}: graph file ${graphFileMb} MB, save ${graphSaveSeconds.toFixed(1)} s, load ${graphLoadSeconds.toFixed(1)} s`);

  const te: number[] = [];
  const truth: { faceId: string; personId: string }[] = [];
  for (let q = 0; q < nq; q++) {
    const t = performance.now();
    truth.push(exact.search(vec(queries, q), 1)[0]);
    te.push(performance.now() - t);
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
      if (truth[q].faceId === h[0].faceId) fHit++;
      if (truth[q].personId === h[0].personId) pHit++;
    }
    breadths.push({ breadth, hnswP50Ms: +pct(tq, 50).toFixed(3), hnswP99Ms: +pct(tq, 99).toFixed(3), recallAt1Face: +(fHit / nq).toFixed(4), recallAt1Person: +(pHit / nq).toFixed(4) });
    console.log(`  ${n}: breadth ${breadth}: p50 ${pct(tq, 50).toFixed(2)} ms, recall@1 face ${(fHit / nq).toFixed(4)} person ${(pHit / nq).toFixed(4)}`);
  }
  const main = breadths.find((b) => b.breadth === HNSW.rerank) ?? breadths[0];
  console.log(`  ${n}: exact p50 ${pct(te, 50).toFixed(2)} ms`);
  return {
    faces: n,
    hnswBuildSeconds: +hnswBuildSeconds.toFixed(1),
    openBuildSeconds,
    openLoadSeconds,
    graphFileMb,
    graphSaveSeconds: +graphSaveSeconds.toFixed(2),
    graphLoadSeconds: +graphLoadSeconds.toFixed(2),
    breadths,
    storeEnrollPerSec: storeEnrollPerSec && Math.round(storeEnrollPerSec),
    storeEnrollNote: storeNote,
    hnswBuildPerSec: Math.round(hnswBuildPerSec),
    exactP50Ms: +pct(te, 50).toFixed(3),
    exactP99Ms: +pct(te, 99).toFixed(3),
    hnswP50Ms: main.hnswP50Ms,
    hnswP99Ms: main.hnswP99Ms,
    recallAt1Face: main.recallAt1Face,
    recallAt1Person: main.recallAt1Person,
    rssMbAfterIndex: rssAfterIndex,
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
          'RSS: whole process after building both the exact matrix and the HNSW graph',
          'hnswBuildSeconds: wall time of the bulk HNSW insert',
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
      `${(r.exactP50Ms.toFixed(2) + ' / ' + r.exactP99Ms.toFixed(2)).padStart(16)}  ${(r.hnswP50Ms.toFixed(3) + ' / ' + r.hnswP99Ms.toFixed(3)).padStart(15)}  ` +
      `${(r.recallAt1Face.toFixed(3) + ' / ' + r.recallAt1Person.toFixed(3)).padStart(20)}  ${r.rssMbAfterIndex}`,
  );
}
console.log('wrote bench/results/gallery.json');
