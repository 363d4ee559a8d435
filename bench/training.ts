/**
 * Learning the similarity, measured on identities the training never saw.
 * 1. A small CNN trained from scratch on ORL (70% of subjects, semi-hard triplet mining), verified
 *    on the other 30%; raw pixels at the same size as the floor to beat.
 * 2. Projection heads (linear:128, started from PCA of the training embeddings) over frozen fr_feature embeddings, one per loss (triplet with
 *    each mining strategy, contrastive), and DeepFace's Siamese binary head against the plain
 *    cosine threshold, on celebrity-aligned, ORL and Yale. Train on 70% of identities, report the
 *    other 30% before (base alone) and after (base + head). Every hyper-parameter is fixed up
 *    front; nothing is tuned on the held-out identities.
 * Run: npx tsx bench/training.ts   (writes bench/results/training.json)
 *   --only cnn | --only heads      run one part, keep the other part's figures from the last run
 *   --validate '{"margin":1}'      one CNN configuration (JSON overriding the default), 4-fold over
 *                                  the 28 training subjects (train on 21, validate on 7, each fold);
 *   --folds N                      appended to cnnValidation. Choices are made there, not on the
 *                                  held-out 12.
 *   --config '{"ensemble":1}'      override the CNN configuration for the held-out run
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { embedCrops } from '../src/embed/index.ts';
import {
  useBackend, trainCnnEnsemble, averageUnitEmbeddings, pcaHeadWeights, trainHead, trainSiameseHead, splitIdentities, heldOutVerification, verificationPairs, verifyDistances,
  listLabelledImages, loadGreyStandardised, loadResized, createRng, shuffleInPlace, type HeldOutResult, type MiningStrategy, type EmbeddingLoss, type CnnSpec, type AugmentOptions,
} from '../src/learn/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.FACEKIT_DATA ?? join(here, '../../shared/data');
const data = (name: string) => (existsSync(join(dataDir, name)) ? join(dataDir, name) : join('/work/shared/data', name));
const SEED = 1;
const HOLDOUT = 0.3;
const t0 = Date.now();
const secs = (t: number) => Math.round((Date.now() - t) / 100) / 10;
const fmt = (r: HeldOutResult) => `acc ${(100 * r.accuracy).toFixed(1)}% +- ${(100 * r.accuracyStd).toFixed(1)}  TAR@FAR=1e-2 ${(100 * r.tarAtFar1e2).toFixed(1)}%${r.tarResolvable ? '' : ' (unresolvable)'}  (${r.genuine}+${r.impostor} pairs)`;

// wasm: XNNPACK matmuls, several times faster than the cpu backend for the CNN (see src/learn/cnn.ts)
await useBackend('wasm');

// ---------- 1. CNN from scratch on ORL ----------
// Choices are made on a validation split carved from the training subjects (--validate), never on
// the held-out subjects; the final run trains on all training subjects and reports the held-out.
const args = process.argv.slice(2);
const argOf = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = argOf('--only');
const validate = argOf('--validate');
const orlDir = data('orl');
if (!existsSync(orlDir)) {
  console.error(`ORL faces not found (looked in ${orlDir}); set FACEKIT_DATA to the folder holding orl/`);
  process.exit(1);
}
interface CnnConfig {
  spec: CnnSpec; loss: 'triplet'; mining: MiningStrategy; margin: number; epochs: number; batch: { P: number; K: number };
  lr: number; lrSchedule: 'constant' | 'cosine'; seed: number; augment: boolean | AugmentOptions; testTimeFlip: boolean;
  /** nets trained from seeds seed, seed+1, ...; their embeddings averaged (default 1) */
  ensemble?: number;
}
const cnnCfg: CnnConfig = {
  // batch norm and 46x56 input: 4-fold validation 92.5% against 89.2% for the plain 32x40 net
  // (batch norm alone 91.1%, batch norm with 32/64/128 channels 91.9%; lr 4e-3 91.3%); such nets
  // from seeds 1, 2, ... with their embeddings averaged: two 94.0% (better on every fold), three
  // 95.1% (AUC 0.973 against 0.966); two nets with 32/64/128 channels 92.9%. See cnnValidation
  spec: { width: 46, height: 56, channels: [16, 32, 64], embeddingSize: 64, batchNorm: true },
  loss: 'triplet', mining: 'semi-hard', margin: 0.5, epochs: 24, batch: { P: 8, K: 5 }, lr: 2e-3, lrSchedule: 'cosine', seed: SEED, augment: true, testTimeFlip: true,
  ensemble: 3,
  ...(validate ? JSON.parse(validate) as Partial<CnnConfig> : {}),
  ...(argOf('--config') ? JSON.parse(argOf('--config')!) as Partial<CnnConfig> : {}),
};
// cosine decay to 5% of the rate over the run
const schedule = (c: CnnConfig) => (c.lrSchedule === 'cosine' ? (e: number) => c.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * e) / c.epochs))) : undefined);
const orl = listLabelledImages(orlDir);
const orlGrey = await Promise.all(orl.paths.map((p) => loadGreyStandardised(p, cnnCfg.spec.width, cnnCfg.spec.height)));
const orlSplit = splitIdentities(orl.labels, HOLDOUT, SEED);

async function runCnn(c: CnnConfig, trainIdx: number[], evalIdx: number[], label: string) {
  const tCnn = Date.now();
  const evalImages = evalIdx.map((i) => orlGrey[i]);
  const evalLabels = evalIdx.map((i) => orl.labels[i]);
  const curve: { epoch: number; accuracy: number; auc: number }[] = [];
  let net = 0;
  let activeLog: number[] = [];
  const { model, histories } = await trainCnnEnsemble({
    ...c,
    size: c.ensemble ?? 1,
    lrSchedule: schedule(c),
    images: trainIdx.map((i) => orlGrey[i]),
    labels: trainIdx.map((i) => orl.labels[i]),
    onNet: (m) => {
      net = m;
      activeLog = [];
    },
    onStep: (st) => activeLog.push(st.activeFraction),
    onEpochModel: (e, l, cnn) => {
      let extra = '';
      // the validation run watches its own split every 5 epochs (never the held-out subjects)
      if (validate && ((e + 1) % 5 === 0 || e + 1 === c.epochs)) {
        const v = heldOutVerification(cnn.embed(evalImages, { flip: c.testTimeFlip }), evalLabels, SEED);
        curve.push({ epoch: e + 1, accuracy: v.accuracy, auc: v.auc });
        extra = ` ${label} acc ${(100 * v.accuracy).toFixed(1)}% auc ${v.auc.toFixed(4)}`;
      }
      console.log(`  net ${net + 1} epoch ${e + 1}/${c.epochs} loss ${l.toFixed(4)} active ${(activeLog.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, activeLog.length)).toFixed(2)}${extra} (${secs(tCnn)} s)`);
    },
  });
  const seconds = secs(tCnn);
  // each net embeds once; the ensemble (CnnEnsemble.embed) and its first k nets, the ensembles of
  // smaller size reported on the same pairs, are averages of these
  const perNet = model.nets.map((n) => n.embed(evalImages, { flip: c.testTimeFlip }));
  const result = heldOutVerification(averageUnitEmbeddings(perNet), evalLabels, SEED);
  const noFlip = heldOutVerification(model.embed(evalImages), evalLabels, SEED);
  const bySize = perNet.slice(0, -1).map((_, k) => ({ nets: k + 1, ...heldOutVerification(averageUnitEmbeddings(perNet.slice(0, k + 1)), evalLabels, SEED) }));
  model.dispose();
  return { result, noFlip, bySize, seconds, history: histories.length === 1 ? histories[0] : histories, curve };
}

let cnnSection: unknown;
let validationRun: Record<string, unknown> | undefined;
if (validate) {
  // k-fold over the training subjects: each fold trains on the others and validates on its own 7,
  // so every training subject is validated once and a choice does not hang on 7 people
  const folds = Number(argOf('--folds') ?? 4);
  const ids = orlSplit.trainIdentities.slice();
  shuffleInPlace(ids, createRng(SEED + 1));
  console.log(`CNN validation: ${folds}-fold over the ${ids.length} training subjects (held-out subjects untouched)`);
  const perFold: { validationSubjects: string[]; validation: HeldOutResult; curve: { epoch: number; accuracy: number; auc: number }[]; seconds: number }[] = [];
  for (let f = 0; f < folds; f++) {
    const valIds = new Set(ids.filter((_, k) => k % folds === f));
    const fit = orlSplit.train.filter((i) => !valIds.has(orl.labels[i]));
    const val = orlSplit.train.filter((i) => valIds.has(orl.labels[i]));
    const r = await runCnn(cnnCfg, fit, val, `fold ${f + 1}`);
    console.log(`  fold ${f + 1}/${folds} validation ${fmt(r.result)}  [${r.seconds} s]`);
    perFold.push({ validationSubjects: [...valIds].map((l) => orl.names[l]), validation: r.result, curve: r.curve, seconds: r.seconds });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const accuracy = mean(perFold.map((p) => p.validation.accuracy));
  const auc = mean(perFold.map((p) => p.validation.auc));
  const curve = perFold[0].curve.map((c, k) => ({ epoch: c.epoch, accuracy: mean(perFold.map((p) => p.curve[k].accuracy)), auc: mean(perFold.map((p) => p.curve[k].auc)) }));
  console.log(`  validation mean over ${folds} folds: acc ${(100 * accuracy).toFixed(1)}%  auc ${auc.toFixed(4)}`);
  validationRun = { config: cnnCfg, protocol: `${folds}-fold over the training subjects`, accuracy, auc, curve, folds: perFold, date: new Date().toISOString() };
} else if (only !== 'heads') {
  console.log(`CNN from scratch on ORL ${cnnCfg.spec.width}x${cnnCfg.spec.height}: train ${orlSplit.trainIdentities.length} subjects, held out ${orlSplit.holdoutIdentities.length}`);
  const r = await runCnn(cnnCfg, orlSplit.train, orlSplit.holdout, 'held-out');
  const pixelResult = heldOutVerification(orlSplit.holdout.map((i) => orlGrey[i]), orlSplit.holdout.map((i) => orl.labels[i]), SEED);
  console.log(`  CNN   ${fmt(r.result)}  [${r.seconds} s training]`);
  console.log(`  CNN without the mirrored test-time embedding ${fmt(r.noFlip)}`);
  for (const k of r.bySize) console.log(`  its first ${k.nets === 1 ? 'net alone' : `${k.nets} nets`} ${fmt(k)}`);
  console.log(`  pixels ${fmt(pixelResult)}`);
  cnnSection = {
    dataset: orlDir, config: cnnCfg, trainSubjects: orlSplit.trainIdentities.map((i) => orl.names[i]), holdoutSubjects: orlSplit.holdoutIdentities.map((i) => orl.names[i]),
    trainSeconds: r.seconds, lossHistory: r.history, heldOut: r.result, heldOutWithoutFlip: r.noFlip, ...(r.bySize.length ? { heldOutFirstNets: r.bySize } : {}), rawPixelsHeldOut: pixelResult, target: 'held-out 10-fold accuracy >= 0.90', meetsTarget: r.result.accuracy >= 0.9,
  };
}

// ---------- 2. heads over frozen fr_feature embeddings ----------
// init 'pca': the linear head starts as PCA of the training embeddings (as facekit train does)
const headCfg = { head: 'linear:128', init: 'pca', epochs: 10, lr: 1e-3, tripletMargin: 0.2, contrastiveMargin: 1.0 };
const siameseCfg = { steps: 200, lr: 0.01 };
const losses: { name: string; loss: EmbeddingLoss; mining?: MiningStrategy }[] = [
  { name: 'triplet/batch-all', loss: 'triplet', mining: 'batch-all' },
  { name: 'triplet/batch-hard', loss: 'triplet', mining: 'batch-hard' },
  { name: 'triplet/semi-hard', loss: 'triplet', mining: 'semi-hard' },
  { name: 'contrastive', loss: 'contrastive' },
];
const sets = [
  { name: 'celebrity-aligned', crop: 'already aligned to the 112x112 ArcFace template', batch: { P: 8, K: 8 } },
  { name: 'orl', crop: 'whole 92x112 image stretched to 112x112 (crude crop, not aligned)', batch: { P: 8, K: 5 } },
  { name: 'yale', crop: 'whole 320x243 image stretched to 112x112 (crude crop, not aligned; much background)', batch: { P: 8, K: 4 } },
];
let headResults: Record<string, unknown>[] | undefined;
if (!(only === 'cnn' || validate)) headResults = [];
if (headResults) for (const set of sets) {
  const dir = data(set.name);
  if (!existsSync(dir)) {
    console.log(`${set.name}: not found in ${dataDir}, skipped`);
    continue;
  }
  const ds = listLabelledImages(dir);
  const tEmb = Date.now();
  const crops = await Promise.all(ds.paths.map((p) => loadResized(p, 112, 112)));
  const base = await embedCrops(crops, { model: 'fr_feature' });
  const split = splitIdentities(ds.labels, HOLDOUT, SEED);
  const trainE = split.train.map((i) => base[i]);
  const trainL = split.train.map((i) => ds.labels[i]);
  const holdE = split.holdout.map((i) => base[i]);
  const holdL = split.holdout.map((i) => ds.labels[i]);
  const before = heldOutVerification(holdE, holdL, SEED);
  console.log(`${set.name}: ${ds.names.length} identities, ${ds.paths.length} images, embedded in ${secs(tEmb)} s; train ${split.trainIdentities.length} ids, held out ${split.holdoutIdentities.length}`);
  console.log(`  base cosine             ${fmt(before)}`);
  const rows: Record<string, unknown>[] = [];
  for (const l of losses) {
    const tH = Date.now();
    const r = await trainHead({
      initialWeights: pcaHeadWeights(trainE, 128),
      embeddings: trainE, labels: trainL, head: headCfg.head, loss: l.loss, mining: l.mining,
      margin: l.loss === 'triplet' ? headCfg.tripletMargin : headCfg.contrastiveMargin,
      epochs: headCfg.epochs, batch: set.batch, lr: headCfg.lr, seed: SEED,
      baseModel: 'fr_feature', dataset: dir, identityNames: split.trainIdentities.map((i) => ds.names[i]),
    });
    const after = heldOutVerification(r.head.embed(holdE), holdL, SEED);
    console.log(`  + head ${l.name.padEnd(18)} ${fmt(after)}  [loss ${r.history[0].toFixed(4)} -> ${r.finalLoss.toFixed(4)}, ${secs(tH)} s]`);
    rows.push({ loss: l.name, margin: r.metadata.margin, firstEpochLoss: r.history[0], finalLoss: r.finalLoss, seconds: secs(tH), after, accuracyGain: after.accuracy - before.accuracy, tarGain: after.tarAtFar1e2 - before.tarAtFar1e2 });
    r.head.dispose();
  }
  const tS = Date.now();
  const siamese = await trainSiameseHead({ embeddings: trainE, labels: trainL, steps: siameseCfg.steps, batch: set.batch, lr: siameseCfg.lr, seed: SEED });
  const pairs = verificationPairs(holdL, SEED);
  const prob = siamese.head.predict(pairs.i.map((a) => holdE[a]), pairs.j.map((b) => holdE[b]));
  const siameseResult = verifyDistances(pairs, Array.from(prob, (p) => 1 - p));
  console.log(`  Siamese binary head     ${fmt(siameseResult)}  [${secs(tS)} s]  vs cosine on the same pairs: acc ${(100 * before.accuracy).toFixed(1)}%`);
  siamese.head.dispose();
  headResults!.push({
    dataset: set.name, path: dir, crop: set.crop, identities: ds.names.length, images: ds.paths.length, batch: set.batch,
    trainIdentities: split.trainIdentities.map((i) => ds.names[i]), holdoutIdentities: split.holdoutIdentities.map((i) => ds.names[i]),
    baseCosine: before, heads: rows, siamese: { result: siameseResult, finalLoss: siamese.finalLoss, cosineOnSamePairs: before },
  });
}

// parts not run here keep the figures of the last run (read now: a validation run may have finished meanwhile)
const latest = existsSync(join(here, 'results/training.json')) ? JSON.parse(readFileSync(join(here, 'results/training.json'), 'utf8')) as Record<string, unknown> : {};
const out = {
  bench: 'training',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 10) / 10), backend: 'tfjs wasm (single thread)' },
  protocol: `identity-disjoint split: ${100 - 100 * HOLDOUT}% of identities train, ${100 * HOLDOUT}% held out (seed ${SEED}); held-out pairs: every genuine pair + as many seeded impostor pairs; 10-fold accuracy (threshold on 9 folds, src/eval) and TAR@FAR=1e-2 over all pairs`,
  cnn: cnnSection ?? latest.cnn,
  cnnValidation: [...((latest.cnnValidation as unknown[] | undefined) ?? []), ...(validationRun ? [validationRun] : [])],
  heads: { baseModel: 'fr_feature (L2-normalised)', config: { ...headCfg, siamese: siameseCfg }, results: headResults ?? (latest.heads as { results?: unknown[] } | undefined)?.results ?? [] },
  totalSeconds: secs(t0),
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/training.json'), JSON.stringify(out, null, 2) + '\n');
console.log(`total ${out.totalSeconds} s; wrote bench/results/training.json`);
