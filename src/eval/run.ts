/**
 * Evaluation runs end to end: a dataset folder or pairs CSV -> every image through the face
 * pipeline once (cached by image hash and configuration) -> scored pairs -> the 10-fold protocol.
 * The CLI's `eval verify` is a shell over runVerificationEval.
 */
import { join } from 'node:path';
import type { Metric } from '../compare/index.ts';
import { DEFAULT_DETECTOR } from '../detect/index.ts';
import { DEFAULT_EMBED_MODEL } from '../embed/index.ts';
import type { Face } from '../face.ts';
import { cacheDir } from '../models/index.ts';
import { embedFaces, loadAndFindFaces, type FaceOptions } from '../pipeline/index.ts';
import { EmbeddingCache, configKey } from './cache.ts';
import { listDataset, pairImages, readPairsCsv, samplePairs, type PairList } from './pairs.ts';
import { embedImages, metricScorer, scorePairs, type EmbeddingMap, type OnProgress } from './scoring.ts';
import { evaluateVerification, type VerificationResult } from './verification.ts';

export interface EvalSource {
  /** folder of <identity>/<images>: pairs are sampled */
  dataset?: string;
  /** CSV of img1,img2,same */
  pairs?: string;
  /** folder the CSV paths are relative to (default: the CSV's folder) */
  root?: string;
  pairsPerClass?: number;
  seed?: number;
}

export interface EvalVerifyOptions extends FaceOptions, EvalSource {
  metric?: Metric;
  folds?: number;
  /** where embeddings are cached (default: the facekit cache folder) */
  cacheDir?: string;
  onProgress?: OnProgress;
}

export interface EvalVerifySummary {
  pairs: number;
  model: string;
  detector: string;
  metric: Metric;
  accuracy: { mean: number; std: number };
  auc: number;
  eer: number;
  tarAtFar: { '0.01': number; '0.001': number };
  threshold: number;
  noFace: number;
  /** mean wall time of the images embedded in this run; null when every embedding came from the cache */
  msPerImage: number | null;
}

export function loadPairs(src: EvalSource): PairList {
  if (src.pairs) return readPairsCsv(src.pairs, { root: src.root });
  if (!src.dataset) throw new Error('runVerificationEval needs dataset or pairs');
  return samplePairs(listDataset(src.dataset), { seed: src.seed, pairsPerClass: src.pairsPerClass });
}

function largest(faces: Face[]): Face {
  return faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
}

/** Embeds every image (largest face) through the pipeline, via the cache; reports time per computed image. */
export async function embedForEval(paths: string[], opts: EvalVerifyOptions): Promise<{ embeddings: EmbeddingMap; msPerImage: number | null }> {
  const cache = EmbeddingCache.open(opts.cacheDir ?? join(cacheDir(), 'eval'));
  const config = configKey({
    model: opts.model ?? DEFAULT_EMBED_MODEL,
    detector: opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR),
    align: opts.align !== false,
    flip: !!opts.flip,
    scoreThreshold: opts.scoreThreshold,
    minFaceSize: opts.minFaceSize,
  });
  let computed = 0;
  let ms = 0;
  const embeddings = await embedImages(paths, async (p) => {
    const t0 = performance.now();
    const { image, faces } = await loadAndFindFaces(p, opts);
    const out = faces.length === 0 ? null : (await embedFaces(image, [largest(faces)], opts))[0].embedding!.vector;
    ms += performance.now() - t0;
    computed++;
    return out;
  }, { cache, config, onProgress: opts.onProgress });
  return { embeddings, msPerImage: computed ? ms / computed : null };
}

export async function runVerificationEval(opts: EvalVerifyOptions): Promise<{ summary: EvalVerifySummary; result: VerificationResult; pairList: PairList }> {
  const pairList = loadPairs(opts);
  const metric = opts.metric ?? 'cosine';
  const paths = pairImages(pairList).map((p) => join(pairList.root, p));
  const { embeddings, msPerImage } = await embedForEval(paths, opts);
  const scored = scorePairs(pairList, metricScorer(embeddings, metric, (p) => join(pairList.root, p)));
  const model = opts.model ?? DEFAULT_EMBED_MODEL;
  const detector = opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR);
  const result = evaluateVerification(scored, { folds: opts.folds, meta: { model, detector, metric, dataset: opts.dataset ?? opts.pairs ?? '', seed: opts.seed ?? 1 } });
  const tar = (far: number) => result.tarAtFar.find((t) => t.far === far)?.tar ?? NaN;
  const summary: EvalVerifySummary = {
    pairs: scored.length,
    model,
    detector,
    metric,
    accuracy: { mean: result.accuracyMean, std: result.accuracyStd },
    auc: result.auc,
    eer: result.eer,
    tarAtFar: { '0.01': tar(0.01), '0.001': tar(0.001) },
    threshold: result.thresholdMean,
    noFace: result.noFace.genuine + result.noFace.impostor,
    msPerImage,
  };
  return { summary, result, pairList };
}
