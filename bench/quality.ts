/**
 * Face image quality (src/analyze/quality.ts), validated by what it is for: verification errors
 * should fall as the lowest-quality faces are set aside.
 *
 * - Each set's people are split in two by a fixed seed: development (the weights of the score are
 *   tuned there, by coordinate search on the error-versus-reject curve) and held-out (reported).
 *   Pairs are sampled within each half as bench/verify-sets.ts samples the whole set.
 * - Error-versus-reject curves (src/eval/quality-reject.ts) on celebrity-aligned, orl and yale
 *   through the default detector and the default recognizer, for the shipped score as verify sees
 *   it (image cues refined by the recognizer's raw embedding norm, src/analyze/quality-embedding.ts),
 *   the same with the mirror-stability cue (what verify --flip sees), the image cues alone, and
 *   each single cue.
 * - The enrollment review: the share of photos of orl, yale, sitcom-cast/gallery and
 *   portraits/knn/train refused at QUALITY_BAR, and a contact sheet of the refused faces with
 *   their reasons (bench/results/quality-refused.png).
 *
 *   npx tsx bench/quality.ts [--fit | --fit-embedding]   (--fit: print the image-cue weights and
 *   the embedding parameters the searches find on the development half, --fit-embedding: only the
 *   latter; the curves and the enrollment review are then of the fitted embedding parameters)
 * Writes bench/results/quality.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MIN_QUALITY, MEASURE_KEYS, MIN_ENROLL_FACE_SIDE, QUALITY_BAR, QUALITY_MODEL, combineQuality, qualityComponents, scoreQuality, type QualityComponent, type QualityMeasures, type Ramp } from '../src/analyze/quality.ts';
import { EMBEDDING_QUALITY, refineQuality, type EmbeddingCues, type EmbeddingQualityModel } from '../src/analyze/quality-embedding.ts';
import { distance, fusionFromRecord, parseFusionId } from '../src/compare/index.ts';
import { DEFAULT_DETECTOR, landmarkSourcesKey } from '../src/detect/index.ts';
import { DEFAULT_EMBED_MODEL } from '../src/embed/index.ts';
import { EmbeddingCache, bestAccuracyThreshold, configKey, listDataset, mulberry32, samplePairs, shuffleInPlace, type Dataset, type ScoredPair } from '../src/eval/index.ts';
import { embeddingCuesFor, qualityMeasuresFor, qualityRejectCurve, qualityRejectSvg, type QualityRejectRow } from '../src/eval/quality-reject.ts';
import { embedForEval } from '../src/eval/run.ts';
import { svgToPng } from '../src/eval/plots.ts';
import { loadImage } from '../src/image/index.ts';
import { loadSharp } from '../src/image/sharp.ts';
import { cacheDir } from '../src/models/index.ts';
import { DATA } from './verify-sets.ts';

const args = process.argv.slice(2);
/**
 * --model=ID: the pairs are decided by this recognizer or fusion ('fusion' =
 * fr_feature+faceapi-recognition, the average of their calibrated P(same)) instead of the default
 * one; the quality is the same either way (what verify's gate reads: the image cues refined by
 * the first recognizer's output). Results then go to quality-<model>.json, the plots are not redrawn.
 */
const MODEL = args.find((a) => a.startsWith('--model='))?.slice('--model='.length) ?? DEFAULT_EMBED_MODEL;
const FUSION = parseFusionId(MODEL);
const fused = FUSION ? fusionFromRecord(FUSION) : null;
const MEMBERS = fused ? fused.members : [{ model: MODEL, metric: 'cosine' as const }];
if (MEMBERS[0].model !== DEFAULT_EMBED_MODEL) throw new Error(`--model: the first recognizer must be ${DEFAULT_EMBED_MODEL} (its output refines the quality)`);
const OWN_MODEL = MODEL !== DEFAULT_EMBED_MODEL;
const RESULTS = join(import.meta.dirname, 'results');
mkdirSync(RESULTS, { recursive: true });
const cache = EmbeddingCache.open(join(cacheDir(), 'eval'));
const opts = { model: DEFAULT_EMBED_MODEL, detector: DEFAULT_DETECTOR, cacheDir: join(cacheDir(), 'eval') };
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** `embeddings`: one per recognizer of --model (one unless it is a fusion) */
interface Image { path: string; person: string; embeddings: (Float32Array | null)[]; measures: QualityMeasures | null; cues: EmbeddingCues | null }

/**
 * The embedding cues of each image's largest face (raw norm and mirror cosine: embedded with
 * flip, so both are there; the shipped default path, without flip, has only the norm).
 */
const embeddingCues = (paths: string[]) => embeddingCuesFor(paths, { ...opts, flip: true, cache, config: configKey({ quality: 'bench-embedding-cues-v1', model: DEFAULT_EMBED_MODEL, detector: DEFAULT_DETECTOR, landmarks: landmarkSourcesKey({}) }) });

async function gather(set: string): Promise<{ ds: Dataset; images: Map<string, Image> }> {
  const ds = listDataset(join(DATA, set));
  const rel = ds.identities.flatMap((id) => id.images);
  const paths = rel.map((p) => join(ds.root, p));
  const perModel = [];
  for (const m of MEMBERS) perModel.push((await embedForEval(paths, { ...opts, model: m.model, onProgress: (d, n) => { if (d % 100 === 0) console.error(`  ${set}: ${d}/${n} embedded by ${m.model}`); } })).embeddings);
  const measures = await qualityMeasuresFor(paths, { ...opts, cache });
  const cues = await embeddingCues(paths);
  const images = new Map<string, Image>();
  for (const id of ds.identities) {
    for (const r of id.images) {
      const p = join(ds.root, r);
      images.set(r, { path: p, person: id.name, embeddings: perModel.map((e) => e.get(p) ?? null), measures: measures.get(p) ?? null, cues: cues.get(p) ?? null });
    }
  }
  return { ds, images };
}

/** The people of a set in two halves by a fixed seed: [development, held-out]. */
function splitPeople(ds: Dataset, seed = 20): [Dataset, Dataset] {
  const ids = shuffleInPlace([...ds.identities], mulberry32(seed));
  const half = Math.ceil(ids.length / 2);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return [{ root: ds.root, identities: ids.slice(0, half).sort(byName) }, { root: ds.root, identities: ids.slice(half).sort(byName) }];
}

function scored(ds: Dataset, images: Map<string, Image>, pairsPerClass: number): ScoredPair[] {
  return samplePairs(ds, { seed: 1, pairsPerClass }).pairs.map((p) => {
    const a = images.get(p.img1)!.embeddings, b = images.get(p.img2)!.embeddings;
    if (a.some((e) => !e) || b.some((e) => !e)) return { ...p, distance: null };
    const d = MEMBERS.map((m, i) => distance(a[i]!, b[i]!, m.metric));
    return { ...p, distance: fused ? fused.distance(d) : d[0] };
  });
}

type Scorer = (im: Image) => number | null;
const curve = (pairs: ScoredPair[], images: Map<string, Image>, q: Scorer): QualityRejectRow[] =>
  qualityRejectCurve(pairs, (img) => q(images.get(img)!));

const SETS = [
  { name: 'celebrity-aligned', pairsPerClass: 300 },
  { name: 'orl', pairsPerClass: 20 },
  { name: 'yale', pairsPerClass: 20 },
];

const t0 = performance.now();
const data: { name: string; pairsPerClass: number; ds: Dataset; images: Map<string, Image>; dev: ScoredPair[]; held: ScoredPair[]; devPeople: number; heldPeople: number }[] = [];
for (const s of SETS) {
  const { ds, images } = await gather(s.name);
  const [dev, held] = splitPeople(ds);
  data.push({ ...s, ds, images, dev: scored(dev, images, s.pairsPerClass), held: scored(held, images, s.pairsPerClass), devPeople: dev.identities.length, heldPeople: held.identities.length });
  console.error(`${s.name}: ${images.size} images gathered (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

const COMPONENTS = Object.keys(QUALITY_MODEL.weights) as QualityComponent[];
const withWeights = (w: Record<QualityComponent, number>): Scorer => (im) => (im.measures ? combineQuality(qualityComponents(im.measures), w) : null);
const imageOnly: Scorer = (im) => (im.measures ? scoreQuality(im.measures).score : null);
/** The image-cue score refined by the embedding cues; `mirror`: with the mirror cosine (verify --flip), else the norm only (the default path). */
const refined = (params: EmbeddingQualityModel, mirror: boolean): Scorer => (im) => {
  if (!im.measures) return null;
  const q = scoreQuality(im.measures);
  if (!im.cues) return q.score;
  return refineQuality(q, DEFAULT_EMBED_MODEL, mirror ? im.cues : { rawNorm: im.cues.rawNorm }, params).score;
};
let embeddingParams: EmbeddingQualityModel = EMBEDDING_QUALITY;
let shipped = refined(embeddingParams, false);
let shippedFlip = refined(embeddingParams, true);

/** What the searches minimise on the development pairs: mean error and FNMR over the reject fractions 1-10%. */
function devLoss(q: Scorer): number {
  let loss = 0;
  for (const d of data) {
    for (const r of curve(d.dev, d.images, q).slice(1)) loss += (1 - r.accuracy) + 0.25 * r.fnmrAtFmr1e3;
  }
  return loss;
}

/** Coordinate search: each parameter over its candidate values in turn, keeping what lowers the loss. */
function coordinateSearch<T>(start: T, candidates: { name: string; values: readonly number[]; set: (p: T, v: number) => T }[], loss: (p: T) => number, label: string): T {
  let p = start;
  let best = loss(p);
  console.log(`${label}: dev loss at the start ${best.toFixed(4)}`);
  for (let round = 0; round < 3; round++) {
    let moved = false;
    for (const c of candidates) {
      for (const v of c.values) {
        const trial = c.set(p, v);
        const l = loss(trial);
        if (l < best - 1e-9) { best = l; p = trial; moved = true; }
      }
    }
    console.log(`${label} round ${round + 1}: loss ${best.toFixed(4)} ${JSON.stringify(p)}`);
    if (!moved) break;
  }
  return p;
}

if (args.includes('--fit') || args.includes('--fit-embedding')) {
  // 1. the image-cue weights (quality.ts QUALITY_MODEL.weights), from the shipped ones
  if (args.includes('--fit')) coordinateSearch({ ...QUALITY_MODEL.weights }, COMPONENTS.map((k) => ({ name: k, values: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5], set: (w, v) => ({ ...w, [k]: v }) })), (w) => devLoss(withWeights(w)), 'image-cue weights');
  // 2. the embedding cues on top of the shipped image score: the norm ramp and weight (default path), then the mirror's (flip)
  const devNorms = data.flatMap((d) => d.dev.flatMap((p) => [p.img1, p.img2]).map((img) => d.images.get(img)?.cues?.rawNorm)).filter((x): x is number => x !== undefined).sort((x, y) => x - y);
  const q = (f: number) => Math.round(100 * devNorms[Math.floor(f * (devNorms.length - 1))]) / 100;
  const norm = (p: EmbeddingQualityModel): Ramp => p.norm[DEFAULT_EMBED_MODEL];
  const withNorm = (p: EmbeddingQualityModel, r: Ramp): EmbeddingQualityModel => (r[0] < r[1] ? { ...p, norm: { ...p.norm, [DEFAULT_EMBED_MODEL]: r } } : p);
  let fit = coordinateSearch(EMBEDDING_QUALITY, [
    { name: 'norm 0 at', values: [0, 0.01, 0.02, 0.05, 0.1, 0.2].map(q), set: (p, v) => withNorm(p, [v, norm(p)[1]]) },
    { name: 'norm 1 at', values: [0.05, 0.1, 0.2, 0.3, 0.5, 0.7].map(q), set: (p, v) => withNorm(p, [norm(p)[0], v]) },
    { name: 'norm weight', values: [0, 0.25, 0.5, 1, 2, 4, 8], set: (p, v) => ({ ...p, weights: { ...p.weights, norm: v } }) },
    { name: 'image floor', values: [0, 0.001, 0.05, 0.1, 0.2, 0.3, 0.5], set: (p, v) => ({ ...p, imageFloor: v }) },
  ], (p) => devLoss(refined(p, false)), 'embedding norm');
  fit = coordinateSearch(fit, [
    { name: 'mirror 0 at', values: [0.85, 0.88, 0.9, 0.92, 0.94], set: (p, v) => (v < p.mirror[1] ? { ...p, mirror: [v, p.mirror[1]] } : p) },
    { name: 'mirror 1 at', values: [0.94, 0.95, 0.96, 0.97, 0.98], set: (p, v) => (p.mirror[0] < v ? { ...p, mirror: [p.mirror[0], v] } : p) },
    { name: 'mirror weight', values: [0, 0.25, 0.5, 1, 2, 4], set: (p, v) => ({ ...p, weights: { ...p.weights, mirror: v } }) },
  ], (p) => devLoss(refined(p, true)), 'mirror (flip)');
  console.log(`fitted embedding parameters (put them in EMBEDDING_QUALITY): ${JSON.stringify(fit)}`);
  embeddingParams = fit;
  shipped = refined(embeddingParams, false);
  shippedFlip = refined(embeddingParams, true);
}

/** The one threshold with the best accuracy on these scored pairs. */
const bestSingleThreshold = (pairs: ScoredPair[]) => bestAccuracyThreshold({
  genuine: pairs.filter((p) => p.same).map((p) => p.distance!),
  impostor: pairs.filter((p) => !p.same).map((p) => p.distance!),
});

// BENCH_QUALITY_ERRORS=1: list each set's held-out errors at its best single threshold, with both
// faces' shipped quality, and stop (which errors could a quality score catch at all?)
if (process.env.BENCH_QUALITY_ERRORS === '1') {
  for (const d of data) {
    const ps = d.held.filter((p) => p.distance !== null);
    const best = bestSingleThreshold(ps);
    const errs = ps.filter((p) => (p.distance! <= best.threshold) !== p.same);
    console.log(d.name, 'best acc', best.accuracy.toFixed(4), 't', best.threshold.toFixed(3), 'errors', errs.length);
    const q = (img: string) => (shipped(d.images.get(img)!) ?? 0).toFixed(2);
    for (const e of errs) console.log(e.same ? 'GEN' : 'IMP', e.distance!.toFixed(3), e.img1, q(e.img1), e.img2, q(e.img2));
  }
  process.exit(0);
}
// one cue alone, for the table: does it carry signal on its own?
const single = (k: QualityComponent): Scorer => (im) => (im.measures ? qualityComponents(im.measures)[k] : null);

const sets: Record<string, unknown>[] = [];
const curvesForPlot: { label: string; rows: QualityRejectRow[] }[] = [];
for (const d of data) {
  const row = (q: Scorer, pairs: ScoredPair[]) => curve(pairs, d.images, q);
  const held = row(shipped, d.held);
  const heldFlip = row(shippedFlip, d.held);
  const heldImage = row(imageOnly, d.held);
  curvesForPlot.push({ label: d.name, rows: held });
  const cues: Record<string, QualityRejectRow[]> = {};
  for (const k of COMPONENTS) cues[k] = row(single(k), d.held);
  cues.mirrorStability = row((im) => im.cues?.mirrorCosine ?? null, d.held);
  cues.rawEmbeddingNorm = row((im) => im.cues?.rawNorm ?? null, d.held);
  sets.push({
    dataset: d.name, detector: DEFAULT_DETECTOR, model: MODEL, pairsPerClass: d.pairsPerClass,
    people: { development: d.devPeople, heldOut: d.heldPeople },
    // the share of the set's faces verify and identify would leave undecided at the default minimum
    belowDefaultMinQuality: [...d.images.values()].filter((im) => (shipped(im) ?? 0) < DEFAULT_MIN_QUALITY).length / d.images.size,
    heldOut: { pairs: d.held.length, qualityReject: held, qualityRejectWithFlip: heldFlip, qualityRejectImageCuesOnly: heldImage },
    development: { pairs: d.dev.length, qualityReject: row(shipped, d.dev), qualityRejectWithFlip: row(shippedFlip, d.dev), qualityRejectImageCuesOnly: row(imageOnly, d.dev) },
    allPeople: { qualityReject: row(shipped, [...d.dev, ...d.held]) },
    heldOutByCue: cues,
  });
  console.log(`\n${d.name} (held-out: ${d.heldPeople} people, ${d.held.length} pairs; detector ${DEFAULT_DETECTOR}, ${MODEL})`);
  console.log('  reject  kept   accuracy  FNMR@FMR1e-3   | accuracy by: shipped+mirror (flip), image cues only, raw norm only, mirror only');
  held.forEach((r, i) => console.log(`  ${pct(r.reject).padStart(6)} ${String(r.pairsKept).padStart(5)}   ${pct(r.accuracy).padStart(7)}   ${pct(r.fnmrAtFmr1e3).padStart(7)}        | ${pct(heldFlip[i].accuracy)}  ${pct(heldImage[i].accuracy)}  ${pct(cues.rawEmbeddingNorm[i].accuracy)}  ${pct(cues.mirrorStability[i].accuracy)}`));
}
if (!OWN_MODEL) writeFileSync(join(RESULTS, 'quality-reject.png'), await svgToPng(qualityRejectSvg(curvesForPlot, { title: 'Error versus reject, held-out people (default detector and recognizer)' })));

// Error rate by quality band: each pair falls in the band of its lower-quality face, and is
// decided at the set's best single threshold (its pairs of both halves). What the enrollment bar
// and the default minimum quality stand on: a band whose faces err no more often than the faces
// above it gives no reason to refuse or hold them back.
const BANDS = [0, 0.25, 0.33, 0.4, 0.5, 0.75, 1.0001];
const bandRows: Record<string, unknown>[] = [];
for (const d of data) {
  const threshold = bestSingleThreshold([...d.dev, ...d.held].filter((p) => p.distance !== null)).threshold;
  const lower = (p: ScoredPair) => Math.min(shipped(d.images.get(p.img1)!) ?? 0, shipped(d.images.get(p.img2)!) ?? 0);
  for (const [half, pairs] of [['development', d.dev], ['held-out', d.held]] as const) {
    const scoredPairs = pairs.filter((p) => p.distance !== null);
    const bands = BANDS.slice(0, -1).map((lo, i) => {
      const inBand = scoredPairs.filter((p) => lower(p) >= lo && lower(p) < BANDS[i + 1]);
      const errors = inBand.filter((p) => (p.distance! <= threshold) !== p.same).length;
      return { from: lo, to: Math.min(1, BANDS[i + 1]), pairs: inBand.length, errors, errorRate: inBand.length ? errors / inBand.length : null };
    });
    bandRows.push({ dataset: d.name, half, threshold: Math.round(threshold * 1e4) / 1e4, bands });
    console.log(`${d.name} ${half}: error rate by the lower quality of the pair (threshold ${threshold.toFixed(3)}): ${bands.map((b) => `[${b.from}-${b.to}) ${b.errors}/${b.pairs}`).join('  ')}`);
  }
}

// the enrollment review: which photos enrollment refuses (below the bar, or too small)
const ENROLL_SETS = ['orl', 'yale', 'sitcom-cast/gallery', 'portraits/knn/train'];
const refused: { set: string; path: string; rel: string; score: number; reasons: string[]; box?: { x: number; y: number; w: number; h: number } }[] = [];
const enrollment: Record<string, unknown>[] = [];
for (const set of ENROLL_SETS) {
  const root = join(DATA, set);
  if (!existsSync(root)) continue;
  const ds = listDataset(root);
  const rel = ds.identities.flatMap((id) => id.images);
  const measures = await qualityMeasuresFor(rel.map((p) => join(root, p)), { ...opts, cache });
  const cues = await embeddingCues(rel.map((p) => join(root, p)));
  let n = 0;
  for (const r of rel) {
    const m = measures.get(join(root, r)) ?? null;
    const c = cues.get(join(root, r)) ?? null;
    // what enroll reads: the image cues refined by the recognizer's raw norm (enroll does not flip)
    const q = m ? (c ? refineQuality(scoreQuality(m), DEFAULT_EMBED_MODEL, { rawNorm: c.rawNorm }, embeddingParams) : scoreQuality(m)) : null;
    const tooSmall = m !== null && m.boxSide < MIN_ENROLL_FACE_SIDE;
    if (!q || q.score < QUALITY_BAR || tooSmall) {
      n++;
      refused.push({ set, path: join(root, r), rel: r, score: q?.score ?? 0, reasons: q ? [...(tooSmall ? [`box under ${MIN_ENROLL_FACE_SIDE} px`] : []), ...q.reasons] : ['no face'] });
    }
  }
  enrollment.push({ dataset: set, photos: rel.length, refused: n, refusedShare: n / rel.length });
  console.log(`enrollment review ${set}: ${n} of ${rel.length} photos refused (${pct(n / rel.length)})`);
}

/** The refused faces side by side, each with its score and reasons. */
async function contactSheet(file: string): Promise<void> {
  const sharp = await loadSharp();
  const cell = 128, capH = 40, cols = 6;
  const shown = refused.slice(0, 24);
  if (shown.length === 0) return;
  const rows = Math.ceil(shown.length / cols);
  const tiles = [];
  for (let i = 0; i < shown.length; i++) {
    const r = shown[i];
    const img = await loadImage(r.path);
    const png = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).resize(cell, cell, { fit: 'contain', background: '#000' }).png().toBuffer();
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const caption = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${cell}" height="${capH}"><rect width="100%" height="100%" fill="#fff"/>`
      + `<text x="2" y="12" font-size="10" font-family="sans-serif">${esc(r.set)}/${esc(r.rel).slice(-18)}</text>`
      + `<text x="2" y="24" font-size="10" font-family="sans-serif">q ${r.score.toFixed(2)}</text>`
      + `<text x="2" y="36" font-size="9" font-family="sans-serif" fill="#c00">${esc(r.reasons.join(', ')).slice(0, 30)}</text></svg>`);
    const x = (i % cols) * cell, y = Math.floor(i / cols) * (cell + capH);
    tiles.push({ input: png, left: x, top: y }, { input: caption, left: x, top: y + cell });
  }
  await sharp({ create: { width: cols * cell, height: rows * (cell + capH), channels: 3, background: '#fff' } }).composite(tiles).png({ palette: true }).toFile(file);
}
if (!OWN_MODEL) await contactSheet(join(RESULTS, 'quality-refused.png'));

const out = {
  generatedBy: 'bench/quality.ts',
  measuredAt: new Date().toISOString(),
  loadAverage: (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim(),
  qualityBar: QUALITY_BAR,
  weights: QUALITY_MODEL.weights,
  embeddingQuality: embeddingParams,
  measureKeys: MEASURE_KEYS,
  split: 'people of each set shuffled with seed 20: first half development (weights tuned there), second half held-out (reported)',
  verification: sets,
  errorByQualityBand: bandRows,
  enrollment,
  refused: refused.map(({ set, rel, score, reasons }) => ({ set, image: rel, score: Math.round(score * 1e4) / 1e4, reasons })),
};
const outFile = OWN_MODEL ? `quality-${MODEL.replace(/[^\w.-]+/g, '_')}.json` : 'quality.json';
writeFileSync(join(RESULTS, outFile), `${JSON.stringify({ model: MODEL, ...out }, null, 1)}\n`);
console.log(`\nwrote bench/results/${outFile}${OWN_MODEL ? '' : ', quality-reject.png, quality-refused.png'} (${((performance.now() - t0) / 1000).toFixed(0)} s, load ${out.loadAverage})`);
