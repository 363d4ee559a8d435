/**
 * Fine-tuning on a user's own labelled faces, the library call behind `facekit train`: embed a
 * <identity>/<images> folder with a frozen model (through the eval stage's embedding cache), hold
 * out a share of the identities, train a head on the rest, and measure verification on the
 * held-out people before (base model alone) and after (base + head). The saved head carries its
 * base model and a calibration fitted on the held-out pairs, so verify and identify can use it.
 */
import { fitCalibration, METRICS, distance, type Calibration, type Metric } from '../compare/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { embedForEval } from '../eval/run.js';
import { FacekitError } from '../errors/index.js';
import type { FaceOptions } from '../pipeline/index.js';
import { useBackend, type TrainingBackend } from './backend.js';
import { float32ToBase64, serializeHead, type HeadCalibrations } from './head-file.js';
import { runtimeHead, type HeadFile, type HeadMetadata } from './head-runtime.js';
import { listLabelledImages } from './dataset.js';
import { parseHeadSpec } from './head.js';
import { pcaHeadWeights } from './pca-init.js';
import type { MiningStrategy } from './mining.js';
import { HEAD_LOSSES, type HeadLoss } from './options.js';
import { trainSiameseHead } from './siamese.js';
import { splitIdentities } from './split.js';
import { trainHead } from './train-head.js';
import { heldOutVerification, verificationPairs, verifyDistances, type HeldOutResult } from './verification.js';

export interface FitHeadOptions {
  /** base embeddings, one per image */
  embeddings: readonly Float32Array[];
  labels: readonly number[];
  /** identity names, index = label */
  names: readonly string[];
  baseModel: string;
  /** recorded in the head file */
  dataset: string;
  loss?: HeadLoss;
  /** triplet only (default semi-hard) */
  mining?: MiningStrategy;
  /** linear:D or mlp:H:D (default linear:128, at most the input size); ignored for siamese */
  head?: string;
  /** a linear head starts as PCA of the training embeddings (default) or at random */
  init?: 'pca' | 'random';
  /** default 0.2 for triplet, 1.0 for contrastive */
  margin?: number;
  epochs?: number;
  lr?: number;
  /** identities per batch (default min(8, training identities)) and images per identity (default 4) */
  batch?: { P?: number; K?: number };
  seed?: number;
  /** share of identities held out for measuring (default 0.3); 0 trains on everyone and measures nothing */
  holdout?: number;
  /** tfjs backend to train on (default cpu: heads are small, and cpu repeats bit for bit) */
  backend?: TrainingBackend;
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

export interface FitHeadResult {
  file: HeadFile;
  /** the model name headed embeddings go under (base model + head digest) */
  headId: string;
  trainIdentities: string[];
  holdoutIdentities: string[];
  /** held-out verification: base embeddings, cosine (null without a held-out part) */
  before: HeldOutResult | null;
  /** held-out verification with the head applied as --head applies it, cosine */
  after: HeldOutResult | null;
  /** siamese only: the Siamese head's own P(same) on the same held-out pairs */
  siameseProbability?: HeldOutResult | null;
  history: number[];
  seconds: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Calibrations of the headed embeddings on labelled pairs (held-out people when there are any). */
function calibrate(embeddings: readonly Float32Array[], labels: readonly number[], id: string, dataset: string, seed: number): HeadCalibrations {
  const out: HeadCalibrations = {};
  const p = verificationPairs(labels, seed);
  for (const metric of METRICS) {
    const g: number[] = [];
    const im: number[] = [];
    p.i.forEach((a, k) => (p.same[k] ? g : im).push(distance(embeddings[a], embeddings[p.j[k]], metric)));
    try {
      const c: Calibration = fitCalibration(g, im, { model: id, metric: metric as Metric, dataset, targetFar: 1e-2 });
      c.fittedAt = new Date().toISOString();
      out[metric] = c;
    } catch (e) {
      // too few or inseparable pairs: no calibration for this metric; verify then asks for a threshold
      if (!(e instanceof FacekitError)) throw e;
    }
  }
  return out;
}

/** Trains a head on labelled base embeddings, identity-disjoint held-out measurement included. */
export async function fitHeadOnEmbeddings(o: FitHeadOptions): Promise<FitHeadResult> {
  const t0 = Date.now();
  if (o.embeddings.length !== o.labels.length || o.embeddings.length === 0) {
    throw new FacekitError('BAD_ARGUMENT', `need one label per embedding (got ${o.embeddings.length} embeddings, ${o.labels.length} labels)`);
  }
  const loss = o.loss ?? 'triplet';
  await useBackend(o.backend ?? 'cpu');
  if (!HEAD_LOSSES.includes(loss)) throw new FacekitError('BAD_ARGUMENT', `unknown loss "${loss}" (use ${HEAD_LOSSES.join(', ')})`);
  const holdout = o.holdout ?? 0.3;
  if (!(holdout >= 0 && holdout < 1)) throw new FacekitError('BAD_ARGUMENT', `holdout must be in [0, 1), got ${holdout}`);
  const seed = o.seed ?? 1;
  const epochs = o.epochs ?? 10;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new FacekitError('BAD_ARGUMENT', `epochs must be a positive integer, got ${epochs}`);
  const counts = new Map<number, number>();
  for (const l of o.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const usable = [...counts.values()].filter((c) => c >= 2).length;
  if (usable < (holdout > 0 ? 4 : 2)) {
    throw new FacekitError('BAD_ARGUMENT', `training needs at least ${holdout > 0 ? 4 : 2} identities with 2+ usable images each (found ${usable})${holdout > 0 ? '; with fewer, train on everyone with holdout 0' : ''}`);
  }
  const split = holdout > 0
    ? splitIdentities(o.labels, holdout, seed)
    : { trainIdentities: [...counts.keys()].sort((a, b) => a - b), holdoutIdentities: [], train: o.labels.map((_, i) => i), holdout: [] as number[] };
  const trainE = split.train.map((i) => o.embeddings[i]);
  const trainL = split.train.map((i) => o.labels[i]);
  const holdE = split.holdout.map((i) => o.embeddings[i]);
  const holdL = split.holdout.map((i) => o.labels[i]);
  const measurable = holdout > 0 && new Set(holdL).size >= 2 && holdL.some((l, i) => holdL.indexOf(l) !== i);
  if (holdout > 0 && !measurable) throw new FacekitError('BAD_ARGUMENT', 'the held-out identities have no genuine pair to measure on: use more identities or a larger holdout');
  const trainIds = new Set(trainL);
  const P = Math.min(o.batch?.P ?? 8, trainIds.size);
  const batch = { P, K: o.batch?.K ?? 4 };
  const inputDim = o.embeddings[0].length;
  const identityNames = split.trainIdentities.map((i) => o.names[i]);
  const before = measurable ? heldOutVerification(holdE, holdL, seed) : null;

  let file: HeadFile;
  let history: number[];
  let siameseProbability: HeldOutResult | null | undefined;
  const common = { baseModel: o.baseModel, dataset: o.dataset, identities: identityNames, seed, epochs, date: new Date().toISOString() };
  if (loss === 'siamese') {
    // an "epoch" of the Siamese head: as many pair batches as PK batches cover the data once
    const stepsPerEpoch = Math.max(1, Math.ceil(trainE.length / (P * batch.K)));
    const losses: number[] = [];
    history = [];
    const lr = o.lr ?? 0.01;
    const r = await trainSiameseHead({
      embeddings: trainE, labels: trainL, steps: epochs * stepsPerEpoch, batch, lr, seed,
      onStep: (step, l) => {
        losses.push(l);
        if ((step + 1) % stepsPerEpoch === 0) {
          history.push(mean(losses.splice(0)));
          o.onEpoch?.(history.length - 1, epochs, history[history.length - 1]);
        }
      },
    });
    const w = Float32Array.from(r.head.w.dataSync() as Float32Array);
    const b = Float32Array.from(r.head.b.dataSync() as Float32Array);
    if (measurable) {
      const pairs = verificationPairs(holdL, seed);
      const prob = r.head.predict(pairs.i.map((a) => holdE[a]), pairs.j.map((k) => holdE[k]));
      siameseProbability = verifyDistances(pairs, Array.from(prob, (x) => 1 - x));
    } else siameseProbability = null;
    r.head.dispose();
    const metadata: HeadMetadata = { ...common, head: `siamese:${inputDim}`, loss: 'siamese', margin: 0, batch, lr, finalLoss: r.finalLoss };
    file = {
      format: 'facekit-projection-head', version: 1, head: `siamese:${inputDim}`, inputDim,
      weights: [
        { name: 'siamese/w', shape: [inputDim], dtype: 'float32', data: float32ToBase64(w) },
        { name: 'siamese/b', shape: [], dtype: 'float32', data: float32ToBase64(b) },
      ],
      metadata,
    };
  } else {
    const margin = o.margin ?? (loss === 'triplet' ? 0.2 : 1.0);
    const spec = parseHeadSpec(o.head ?? `linear:${Math.min(128, inputDim)}`);
    const init = o.init ?? 'pca';
    const initialWeights = spec.kind === 'linear' && init === 'pca' ? pcaHeadWeights(trainE, spec.out) : undefined;
    const r = await trainHead({
      initialWeights,
      embeddings: trainE, labels: trainL, head: spec, loss, mining: loss === 'triplet' ? (o.mining ?? 'semi-hard') : undefined,
      margin, epochs, batch, lr: o.lr ?? 1e-3, seed, baseModel: o.baseModel, dataset: o.dataset, identityNames,
      onEpoch: (e, l) => o.onEpoch?.(e, epochs, l),
    });
    r.metadata.init = initialWeights ? 'pca' : 'random';
    history = r.history;
    file = serializeHead(r.head, r.metadata);
    r.head.dispose();
  }
  const applied = runtimeHead(file, 'the trained head');
  const calE = (measurable ? holdE : trainE).map((v) => applied.apply(v));
  const calL = measurable ? holdL : trainL;
  const calSet = `${o.dataset} (${measurable ? `${new Set(holdL).size} held-out identities` : 'training identities: optimistic'}, seed ${seed})`;
  file.calibrations = calibrate(calE, calL, applied.id, calSet, seed);
  const after = measurable ? heldOutVerification(calE, holdL, seed) : null;
  return {
    file,
    headId: applied.id,
    trainIdentities: identityNames,
    holdoutIdentities: split.holdoutIdentities.map((i) => o.names[i]),
    before,
    after,
    ...(loss === 'siamese' ? { siameseProbability } : {}),
    history,
    seconds: (Date.now() - t0) / 1000,
  };
}

export interface EmbeddedFolder {
  embeddings: Float32Array[];
  labels: number[];
  names: string[];
  /** images without a usable face, left out */
  noFace: string[];
  images: number;
  baseModel: string;
}

/** Every image of an <identity>/<images> folder through the face pipeline (largest face), via the eval cache. */
export async function embedLabelledFolder(dir: string, opts: FaceOptions & { cacheDir?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<EmbeddedFolder> {
  if (opts.head) throw new FacekitError('BAD_ARGUMENT', 'a head is trained on base embeddings: do not pass --head to train');
  const ds = listLabelledImages(dir);
  const { embeddings: map } = await embedForEval(ds.paths, opts);
  const embeddings: Float32Array[] = [];
  const labels: number[] = [];
  const noFace: string[] = [];
  ds.paths.forEach((p, i) => {
    const e = map.get(p);
    if (e) {
      embeddings.push(e);
      labels.push(ds.labels[i]);
    } else noFace.push(p);
  });
  if (embeddings.length === 0) throw new FacekitError('NO_FACE', `no face found in any image under ${dir}${opts.detect === false ? '' : ' (already-cropped faces: pass --no-detect)'}`);
  return { embeddings, labels, names: ds.names, noFace, images: ds.paths.length, baseModel: opts.model ?? DEFAULT_EMBED_MODEL };
}
