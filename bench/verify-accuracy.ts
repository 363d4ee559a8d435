/**
 * Verification accuracy, model x detector x metric on each evaluation set, and the baselines
 * (@vladmandic/human, @vladmandic/face-api) on the same pairs, by the same protocol (10-fold, LFW
 * style; pairs sampled with seed 1). Embeddings are cached (the facekit eval cache), so re-runs
 * cost only the metrics. Writes bench/results/verify-accuracy.json after every row.
 *
 *   npx tsx bench/verify-accuracy.ts [--quick] [--no-baselines] [--ssd (adds faceapi-ssd and faceboxes)] [--mtcnn (adds mtcnn)] [--sets=celebrity-aligned,orl]
 *     [--models=fr_feature] [--detectors=fr_detect,none]   (a subset; other rows are carried over)
 *     [--landmarks=fr_landmark,fr_landmark+onet]   (five-point sources, DetectOptions.landmarks: each detector row
 *     once per source, labelled "<detector> landmarks=<source>"; without it, the default source)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCURATE_FUSION, distance, type Metric } from '../src/compare/index.ts';
import { evaluateVerification, pairImages, type ScoredPair } from '../src/eval/index.ts';
import { loadPairs, runVerificationEval } from '../src/eval/run.ts';
import { loadImage } from '../src/image/index.ts';
import { cacheDir } from '../src/models/index.ts';
import { faceapiBaseline } from './baselines/faceapi.ts';
import { humanBaseline } from './baselines/human.ts';
import type { Baseline } from './baselines/types.ts';
import { DATA, verifySets, type VerifySet } from './verify-sets.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const setsArg = args.find((a) => a.startsWith('--sets='))?.slice(7);

const SETS = verifySets(quick).filter((s) => !setsArg || setsArg.split(',').includes(s.name));

const MODELS = ['fr_feature', 'faceres', 'faceapi-recognition', 'mobileface', 'mobilefacenet'];
// the ensemble: the two best models' calibrated P(same), averaged (src/compare/fusion.ts)
const ENSEMBLE = ACCURATE_FUSION;
const METRICS: Metric[] = ['cosine', 'euclidean_l2', 'euclidean'];
// every model with every detector (the slow ones, SSD at ~1 s per image and FaceBoxes, only with
// --ssd); aligned sets also without detection (the crop as shipped)
const DETECTORS = ['fr_detect', 'blazeface-back', ...(args.includes('--ssd') ? ['faceapi-ssd', 'faceboxes'] : []), ...(args.includes('--mtcnn') ? ['mtcnn'] : [])];
// --models=a,b and --detectors=x,none re-measure a subset; the other rows of the previous
// results file are kept with their measuredAt (rows from before measuredAt existed get carried: true)
const listArg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(',');
const onlyModels = listArg('models');
const onlyDetectors = listArg('detectors');
const onlyLandmarks = listArg('landmarks');
function configs(set: VerifySet): { model: string; detector: string; landmarks?: string }[] {
  const models = [...MODELS, ENSEMBLE];
  const out: { model: string; detector: string; landmarks?: string }[] = DETECTORS.flatMap((detector) => models.flatMap((model) => (onlyLandmarks ?? [undefined]).map((landmarks) => ({ model, detector, landmarks }))));
  if (set.aligned) for (const model of models) out.push({ model, detector: 'none' });
  return out.filter((c) => (!onlyModels || onlyModels.includes(c.model)) && (!onlyDetectors || onlyDetectors.includes(c.detector)));
}

const outFile = join(import.meta.dirname, 'results/verify-accuracy.json');
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
const rows: Record<string, unknown>[] = [];
const partial = !!(onlyModels || onlyDetectors || setsArg || args.includes('--no-baselines'));
const previous: Record<string, unknown>[] = partial && existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')).rows : [];
const rowKey = (r: Record<string, unknown>) => `${r.dataset}|${r.model}|${r.detector}|${r.metric}`;
const save = () => {
  const fresh = new Set(rows.map(rowKey));
  const carried = previous.filter((r) => !fresh.has(rowKey(r))).map((r) => (r.measuredAt ? r : { ...r, carried: true }));
  writeFileSync(outFile, `${JSON.stringify({ generatedBy: 'bench/verify-accuracy.ts', quick, rows: [...rows, ...carried] }, null, 1)}\n`);
};
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function report(row: Record<string, any>): void {
  rows.push({ ...row, measuredAt: new Date().toISOString() });
  save();
  console.log(`${String(row.dataset).padEnd(20)} ${String(row.model).padEnd(22)} ${String(row.detector).padEnd(15)} ${String(row.metric).padEnd(13)} acc ${pct(row.accuracy)} +- ${pct(row.std)}  auc ${row.auc.toFixed(4)}  eer ${pct(row.eer)}  tar@1e-2 ${pct(row.tarAt1e2)}  noFace ${row.noFace}`);
}

async function baselineRows(b: Baseline, set: VerifySet): Promise<void> {
  const pl = loadPairs({ dataset: join(DATA, set.name), pairsPerClass: set.pairsPerClass, seed: 1 });
  const cacheFile = join(cacheDir(), 'bench', `${b.name.replace(/\W+/g, '_')}-${set.name.replace(/\W+/g, '_')}.json`);
  mkdirSync(join(cacheDir(), 'bench'), { recursive: true });
  const cached: Record<string, number[] | null> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  const images = pairImages(pl);
  let done = 0;
  for (const rel of images) {
    if (!(rel in cached)) {
      const faces = await b.describe(await loadImage(join(pl.root, rel)));
      const best = faces.sort((x, y) => y.box.w * y.box.h - x.box.w * x.box.h)[0];
      cached[rel] = best ? Array.from(best.descriptor) : null;
      if (++done % 50 === 0) { writeFileSync(cacheFile, JSON.stringify(cached)); console.error(`  ${b.name}: ${done} images`); }
    }
  }
  writeFileSync(cacheFile, JSON.stringify(cached));
  const vec = (rel: string) => (cached[rel] ? Float32Array.from(cached[rel]!) : null);
  const scored: ScoredPair[] = pl.pairs.map((p) => {
    const a = vec(p.img1), c = vec(p.img2);
    return { ...p, distance: a && c ? distance(a, c, b.metric) : null };
  });
  const r = evaluateVerification(scored);
  const tar = (far: number) => r.tarAtFar.find((t) => t.far === far)?.tar ?? NaN;
  report({ dataset: set.name, model: b.name, detector: 'its own', metric: b.metric, pairs: scored.length, accuracy: r.accuracyMean, std: r.accuracyStd, auc: r.auc, eer: r.eer, tarAt1e2: tar(0.01), tarAt1e3: tar(0.001), noFace: r.noFace.genuine + r.noFace.impostor });
}

if (!existsSync(DATA)) {
  console.log(`evaluation data not found at ${DATA}; set FACEKIT_DATA`);
  process.exit(0);
}
const baselines = args.includes('--no-baselines') ? [] : [humanBaseline(), faceapiBaseline()];
let baselinesReady = false;
for (const set of SETS) {
  for (const c of configs(set)) {
    // a fusion has one score of its own: 1 - P(same)
    for (const metric of c.model === ENSEMBLE ? (['cosine'] as Metric[]) : METRICS) {
      const { summary } = await runVerificationEval({
        dataset: join(DATA, set.name), pairsPerClass: set.pairsPerClass, seed: 1, metric,
        model: c.model, detect: c.detector !== 'none', ...(c.detector !== 'none' ? { detector: c.detector } : {}), ...(c.landmarks ? { landmarks: c.landmarks } : {}),
      });
      report({ dataset: set.name, model: c.model, detector: c.landmarks ? `${c.detector} landmarks=${c.landmarks}` : c.detector, metric: summary.metric === 'fused' ? 'fused' : metric, pairs: summary.pairs, accuracy: summary.accuracy.mean, std: summary.accuracy.std, auc: summary.auc, eer: summary.eer, tarAt1e2: summary.tarAtFar['0.01'], tarAt1e3: summary.tarAtFar['0.001'], noFace: summary.noFace, msPerImage: summary.msPerImage });
    }
  }
  // the libraries facekit is compared with, on the same pairs (celebrity-aligned unless asked)
  if (set.name === 'celebrity-aligned' || args.includes('--baselines-everywhere')) {
    for (const b of baselines) {
      if (!baselinesReady) await b.init();
      await baselineRows(b, set);
    }
    baselinesReady = true;
  }
}
console.log(`wrote ${outFile}`);
