/**
 * Clustering benchmark.
 *
 * Quality, per method (chinese-whispers = default, connected-components, dbscan), run as
 * `facekit cluster` runs: faces below the quality bar stay unclustered and are scored as clusters
 * of one; pairwise and BCubed precision/recall/F1, clusters found against the true number.
 *  - celebrity-aligned (720 aligned crops, 12 people, folder = person), with --no-detect.
 *  - sitcom-cast: gallery/<person>/ crops and group-photos/, detected. The gallery crops are
 *    labelled by folder (their largest face); a group-photo face is labelled with the person of its
 *    nearest gallery face when that is within the calibrated threshold, and left out of the
 *    scores otherwise (every face is still clustered).
 * Scale, on synthetic 512-d embeddings (identities from a 64-d latent space, as bench/gallery.ts):
 *  - cluster BENCH_SCALE_N (default 100,000) embeddings with the default method (HNSW kNN graph).
 *  - find over a cached folder of BENCH_FIND_N (default 10,000) faces: loading the cache file and
 *    one search, per query.
 * Embeddings of the real sets are cached under the facekit cache folder (bench/clustering/).
 *
 *   npx tsx bench/clustering.ts                    # everything
 *   BENCH_PARTS=quality npx tsx bench/clustering.ts  # or scale
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUALITY_BAR } from '../src/analyze/index.ts';
import {
  cachePaths, clusterRows, clusterThreshold, FaceStore, indexFolder, openFolderFaces, scoreClustering, searchFolder,
  DEFAULT_K, METHODS, type ClusterMethod, type ClusteringScores, type FolderFaces, type PrecisionRecall,
} from '../src/cluster/index.ts';
import { cacheDir } from '../src/models/index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const BESIDE = join(HERE, '../../shared/data');
const DATA = process.env.FACEKIT_DATA ?? (existsSync(BESIDE) ? BESIDE : '/work/shared/data');
const PARTS = (process.env.BENCH_PARTS ?? 'quality,scale').split(',');
const SCALE_N = Number(process.env.BENCH_SCALE_N ?? 100_000);
const FIND_N = Number(process.env.BENCH_FIND_N ?? 10_000);

interface MethodRow { method: ClusterMethod; threshold: number; clustersFound: number; clustersTrue: number; clustersOfClusteredFaces: number; unclusteredFaces: number; pairwise: ClusteringScores['pairwise']; bcubed: ClusteringScores['bcubed']; ms: number }

const rnd = (x: number) => Math.round(x * 10000) / 10000;
const progress = (label: string) => (d: number, t: number) => { if (t && (d === t || d % 100 === 0)) process.stderr.write(`${label}: ${d}/${t}\n`); };

/** Labels of every face: the method's cluster for faces at or above the bar, a cluster of one below it. */
function labelsFor(folder: FolderFaces, method: ClusterMethod, threshold: number): { labels: string[]; ms: number } {
  const { store } = folder;
  const rows = store.faces.map((f, i) => (f.quality >= QUALITY_BAR ? i : -1)).filter((i) => i >= 0);
  const t0 = performance.now();
  const l = clusterRows(store.vectors, store.dims, rows, { method, threshold, k: DEFAULT_K });
  const ms = performance.now() - t0;
  const labels = store.faces.map((f) => `unclustered:${f.id}`);
  rows.forEach((r, i) => { labels[r] = `c${l[i]}`; });
  return { labels, ms };
}

function evaluate(folder: FolderFaces, truth: (string | null)[]): MethodRow[] {
  const threshold = clusterThreshold(folder.model);
  const keep = truth.map((t, i) => (t === null ? -1 : i)).filter((i) => i >= 0);
  return METHODS.map((method) => {
    const { labels, ms } = labelsFor(folder, method, threshold);
    const s = scoreClustering(keep.map((i) => truth[i]!), keep.map((i) => labels[i]));
    const kept = keep.map((i) => labels[i]);
    const clustered = new Set(kept.filter((l) => !l.startsWith('unclustered:'))).size;
    const unclusteredFaces = kept.filter((l) => l.startsWith('unclustered:')).length;
    return { method, threshold: rnd(threshold), clustersFound: s.clusters, clustersTrue: s.people, clustersOfClusteredFaces: clustered, unclusteredFaces, pairwise: mapRnd(s.pairwise), bcubed: mapRnd(s.bcubed), ms: Math.round(ms) };
  });
}

function mapRnd(p: PrecisionRecall): PrecisionRecall {
  return { precision: rnd(p.precision), recall: rnd(p.recall), f1: rnd(p.f1) };
}

function printRows(name: string, rows: MethodRow[]): void {
  console.log(`\n${name}`);
  console.log('method                 clusters/true (of clustered faces + unclustered)  BCubed P / R / F1        pairwise P / R / F1      ms');
  for (const r of rows) {
    const f = (p: { precision: number; recall: number; f1: number }) => `${p.precision.toFixed(3)} / ${p.recall.toFixed(3)} / ${p.f1.toFixed(3)}`;
    console.log(`${r.method.padEnd(22)} ${String(r.clustersFound).padStart(4)}/${String(r.clustersTrue).padEnd(4)} (${r.clustersOfClusteredFaces} + ${r.unclusteredFaces})${' '.repeat(30)} ${f(r.bcubed)}    ${f(r.pairwise)}    ${r.ms}`);
  }
}

async function celebrity(): Promise<object | null> {
  const dir = join(DATA, 'celebrity-aligned');
  const opts = { detect: false, cacheDir: join(cacheDir(), 'bench/clustering/celebrity-aligned'), onProgress: progress('celebrity-aligned') };
  let folder: FolderFaces;
  try {
    folder = await indexFolder(dir, opts);
  } catch {
    console.log(`celebrity-aligned: skipped, ${dir} not present`);
    return null;
  }
  const truth = folder.store.faces.map((f) => f.file.split('/')[0]);
  const rows = evaluate(folder, truth);
  printRows(`celebrity-aligned: ${folder.store.size} faces, ${new Set(truth).size} people, ${folder.store.faces.filter((f) => f.quality < QUALITY_BAR).length} below the quality bar (--no-detect)`, rows);
  return { faces: folder.store.size, people: new Set(truth).size, belowQualityBar: folder.store.faces.filter((f) => f.quality < QUALITY_BAR).length, detect: false, methods: rows };
}

async function sitcom(): Promise<object | null> {
  const dir = join(DATA, 'sitcom-cast');
  let folder: FolderFaces;
  try {
    folder = await indexFolder(dir, { cacheDir: join(cacheDir(), 'bench/clustering/sitcom-cast'), onProgress: progress('sitcom-cast') });
  } catch {
    console.log(`sitcom-cast: skipped, ${dir} not present`);
    return null;
  }
  const { store } = folder;
  const threshold = clusterThreshold(folder.model);
  const truth: (string | null)[] = store.faces.map(() => null);
  const galleryRows: number[] = [];
  // gallery crops: the largest face of each file is that folder's person
  for (const [rel, entry] of store.files) {
    if (!rel.startsWith('gallery/') || entry.faces.length === 0) continue;
    const rows = entry.faces.map((id) => store.faces.findIndex((f) => f.id === id));
    const big = rows.reduce((a, b) => (store.faces[b].box.w * store.faces[b].box.h > store.faces[a].box.w * store.faces[a].box.h ? b : a));
    truth[big] = rel.split('/')[1];
    galleryRows.push(big);
  }
  let labelled = 0;
  let unlabelled = 0;
  store.faces.forEach((f, i) => {
    if (!f.file.startsWith('group-photos/')) return;
    let best = -1;
    let bestD = Infinity;
    for (const g of galleryRows) {
      let dot = 0;
      for (let j = 0; j < store.dims; j++) dot += store.vectors[i * store.dims + j] * store.vectors[g * store.dims + j];
      if (1 - dot < bestD) [best, bestD] = [g, 1 - dot];
    }
    if (best >= 0 && bestD <= threshold) {
      truth[i] = truth[best];
      labelled++;
    } else unlabelled++;
  });
  const rows = evaluate(folder, truth);
  printRows(`sitcom-cast: ${store.size} faces (${galleryRows.length} gallery crops, ${labelled} group-photo faces labelled by nearest gallery face, ${unlabelled} left unscored), ${new Set(truth.filter(Boolean)).size} people`, rows);
  return { faces: store.size, scored: galleryRows.length + labelled, galleryFaces: galleryRows.length, groupFacesLabelled: labelled, groupFacesUnscored: unlabelled, belowQualityBar: store.faces.filter((f) => f.quality < QUALITY_BAR).length, detect: true, methods: rows };
}

// synthetic embeddings as in bench/gallery.ts
const DIMS = 512;
const LATENT = 64;
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
function synthetic(n: number, perPerson: number, noise: number): { vectors: Float32Array; person: Int32Array } {
  const people = Math.ceil(n / perPerson);
  const basis = new Float32Array(LATENT * DIMS);
  for (let i = 0; i < basis.length; i++) basis[i] = gauss();
  const centres = new Float32Array(people * DIMS);
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
  const vectors = new Float32Array(n * DIMS);
  const person = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i % people;
    person[i] = p;
    let norm = 0;
    for (let j = 0; j < DIMS; j++) {
      const v = centres[p * DIMS + j] + (noise / Math.sqrt(DIMS)) * gauss();
      vectors[i * DIMS + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < DIMS; j++) vectors[i * DIMS + j] /= norm;
  }
  return { vectors, person };
}

function scaleCluster(threshold: number): object {
  const perPerson = 10;
  const { vectors, person } = synthetic(SCALE_N, perPerson, 0.8);
  const rows = Array.from({ length: SCALE_N }, (_, i) => i);
  const t0 = performance.now();
  const labels = clusterRows(vectors, DIMS, rows, { threshold, k: DEFAULT_K });
  const s = (performance.now() - t0) / 1000;
  const sc = scoreClustering(Array.from(person), Array.from(labels));
  console.log(`\nscale: ${SCALE_N} synthetic ${DIMS}-d embeddings (${SCALE_N / perPerson} identities x ${perPerson}), chinese-whispers k=${DEFAULT_K}: ${s.toFixed(1)} s, ${sc.clusters} clusters (true ${sc.people}), BCubed F1 ${sc.bcubed.f1.toFixed(4)}`);
  return { faces: SCALE_N, identities: SCALE_N / perPerson, method: 'chinese-whispers', k: DEFAULT_K, threshold: rnd(threshold), seconds: Math.round(s * 10) / 10, clustersFound: sc.clusters, bcubed: mapRnd(sc.bcubed), pairwise: mapRnd(sc.pairwise) };
}

function scaleFind(threshold: number): object {
  const { vectors } = synthetic(FIND_N, 5, 0.8);
  const dir = mkdtempSync(join(tmpdir(), 'facekit-find-bench-'));
  try {
    const p = cachePaths(dir, {});
    const store = FaceStore.empty(p.faces, p.config, p.model);
    const files = new Map();
    const rows = [];
    for (let i = 0; i < FIND_N; i++) {
      const file = `photos/${Math.floor(i / 2)}.jpg`;
      rows.push({ face: { id: i + 1, file, box: { x: 0, y: 0, w: 100, h: 100 }, score: 1, quality: 1 }, vector: vectors.subarray(i * DIMS, (i + 1) * DIMS) });
      if (!files.has(file)) files.set(file, { sha256: '0', size: 0, mtimeMs: 0, faces: [] });
      files.get(file).faces.push(i + 1);
    }
    store.replace(files, rows);
    store.nextId = FIND_N + 1;
    store.save();
    const loads: number[] = [];
    const searches: number[] = [];
    for (let q = 0; q < 21; q++) {
      const t0 = performance.now();
      const folder = openFolderFaces(dir, {});
      const t1 = performance.now();
      searchFolder(folder, vectors.subarray(q * 7 * DIMS, (q * 7 + 1) * DIMS), { threshold });
      const t2 = performance.now();
      if (q > 0) { loads.push(t1 - t0); searches.push(t2 - t1); }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const total = loads.map((l, i) => l + searches[i]);
    console.log(`find over a cached folder of ${FIND_N} faces: load cache ${med(loads).toFixed(1)} ms + search ${med(searches).toFixed(1)} ms = ${med(total).toFixed(1)} ms (median of 20; query embedding not included)`);
    return { faces: FIND_N, loadCacheMsMedian: rnd(med(loads)), searchMsMedian: rnd(med(searches)), totalMsMedian: rnd(med(total)), queries: 20, note: 'excludes embedding the query photo and re-checking the folder for new files (find does both; --cache as given)' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const out: Record<string, unknown> = { machine: { cpus: cpus().length, loadAverage1mAtStart: rnd(loadavg()[0]) }, date: new Date().toISOString() };
if (PARTS.includes('quality')) {
  out['celebrity-aligned'] = await celebrity();
  out['sitcom-cast'] = await sitcom();
}
if (PARTS.includes('scale')) {
  const threshold = clusterThreshold('fr_feature');
  out.findScale = scaleFind(threshold);
  out.clusterScale = scaleCluster(threshold);
}
out.machine = { ...(out.machine as object), loadAverage1mAtEnd: rnd(loadavg()[0]) };
mkdirSync(join(HERE, 'results'), { recursive: true });
const file = join(HERE, 'results/clustering.json');
let old: Record<string, unknown> = {};
try { old = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first run */ }
writeFileSync(file, JSON.stringify({ ...old, ...out }, null, 2) + '\n');
console.log('\nwrote bench/results/clustering.json');
