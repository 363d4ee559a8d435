/**
 * Evaluation runs end to end: a dataset folder or pairs CSV -> every image through the face
 * pipeline once (cached by image hash and configuration) -> scored pairs -> the 10-fold protocol.
 * The CLI's `eval verify` is a shell over runVerificationEval.
 */
import { basename, join } from 'node:path';
import {
  fitCalibration, fusionFromRecord, getCalibration, parseFusionId, refuseMetricForFusion, DEFAULT_TARGET_FAR, type Calibration, type FusionRecord, type Metric,
} from '../compare/index.js';
import { DEFAULT_DETECTOR, landmarkSourcesKey } from '../detect/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import type { Face } from '../face.js';
import { cacheDir, listModels } from '../models/index.js';
import { embedFacesWithCues, headFor, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';
import { FacekitError } from '../errors/index.js';
import { EmbeddingCache, configKey } from './cache.js';
import { listDataset, pairImages, readPairsCsv, samplePairs, type PairList } from './pairs.js';
import { embedImages, fusionPairScorer, metricScorer, scorePairs, type EmbeddingMap, type OnProgress } from './scoring.js';
import { evaluateVerification, type VerificationResult } from './verification.js';
import { groupLabels, groupReport, type GroupLabelOptions, type GroupOf, type GroupReport } from './groups.js';
import { cacheEmbeddingCues, cacheQualityMeasures, embeddingCuesConfig, embeddingCuesFor, qualityConfig, qualityMeasuresFor, qualityRejectCurve, qualityScores, type QualityRejectRow } from './quality-reject.js';
import { dirAtFpir, evaluateIdentification, splitIdentification, type IdentificationResult, type IdentificationSplit } from './identification.js';

export interface EvalSource {
  /** folder of <identity>/<images>: pairs are sampled */
  dataset?: string;
  /** CSV of img1,img2,same */
  pairs?: string;
  /** folder the CSV paths are relative to (default: the CSV's folder) */
  root?: string;
  pairsPerClass?: number;
  seed?: number;
  /** sampled impostor pairs are drawn within these groups */
  groupOf?: GroupOf;
}

export interface EvalVerifyOptions extends FaceOptions, EvalSource {
  metric?: Metric;
  folds?: number;
  /**
   * Also report FMR and FNMR per group of this label at the deployed threshold (NIST FRVT
   * demographics style); sampled impostor pairs are then drawn within groups.
   */
  groupBy?: GroupLabelOptions;
  /** the deployed threshold for the group report (default: the calibration of model and metric) */
  threshold?: number;
  /** where embeddings are cached (default: the facekit cache folder) */
  cacheDir?: string;
  onProgress?: OnProgress;
}

export interface EvalVerifySummary {
  pairs: number;
  /** a model id, or a fusion named like fusion:mean(a/cosine+b/cosine) */
  model: string;
  detector: string;
  /** 'fused' for a fusion: its distance is 1 - P(same) */
  metric: Metric | 'fused';
  accuracy: { mean: number; std: number };
  auc: number;
  eer: number;
  tarAtFar: { '0.01': number; '0.001': number };
  threshold: number;
  noFace: number;
  /** mean wall time of the images embedded in this run; null when every embedding came from the cache */
  msPerImage: number | null;
  /** with groupBy: rates per group at the deployed threshold */
  groups?: GroupReport;
  /** the error-versus-reject curve: pairs ranked by the lower quality of their two faces (quality-reject.ts) */
  qualityReject: QualityRejectRow[];
}

export function loadPairs(src: EvalSource): PairList {
  if (src.pairs) return readPairsCsv(src.pairs, { root: src.root });
  if (!src.dataset) throw new FacekitError('BAD_ARGUMENT', 'give a dataset folder or a pairs CSV');
  return samplePairs(listDataset(src.dataset), { seed: src.seed, pairsPerClass: src.pairsPerClass, groupOf: src.groupOf });
}

function notFusion(model: string | undefined, what: string): void {
  if (model && parseFusionId(model)) throw new FacekitError('BAD_ARGUMENT', `a fusion can be evaluated in verification only, not in ${what}`);
}

function largest(faces: Face[]): Face {
  return faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
}

/** The cache key's configuration: everything that changes an embedding (not the metric). */
export function embeddingConfig(opts: FaceOptions): string {
  const head = headFor(opts);
  const model = head?.baseModel ?? opts.model ?? DEFAULT_EMBED_MODEL;
  // the record's crop and input conventions are part of what the embedding means: changing
  // either must not reuse embeddings cached under the old one
  const record = listModels().find((r) => r.id === model);
  const detector = opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR);
  return configKey({
    model,
    // the head's id carries a digest of its weights: a retrained head is a new configuration
    head: head?.id,
    crop: record?.crop ? JSON.stringify(record.crop) : undefined,
    input: record ? JSON.stringify(record.input) : undefined,
    detector,
    align: opts.align !== false,
    // tight crops and small images re-detected on a canvas (detectFaces' context option); the
    // value names the rule's version, absent = detection without context
    context: opts.detect !== false && opts.context !== false ? 'canvas3' : undefined,
    flip: !!opts.flip,
    scoreThreshold: opts.scoreThreshold,
    minFaceSize: opts.minFaceSize,
    landmarkModel: opts.landmarkModel,
    landmarks: opts.detect === false ? undefined : landmarkSourcesKey(opts),
    maxSide: opts.maxSide,
  });
}

/** Embeds every image (largest face) through the pipeline, via the cache; reports time per computed image. */
export async function embedForEval(paths: string[], opts: EvalVerifyOptions): Promise<{ embeddings: EmbeddingMap; msPerImage: number | null }> {
  const cache = EmbeddingCache.open(opts.cacheDir ?? join(cacheDir(), 'eval'));
  const config = embeddingConfig(opts);
  const qConfig = qualityConfig(opts);
  const cuesConfig = embeddingCuesConfig(config);
  let computed = 0;
  let ms = 0;
  const embeddings = await embedImages(paths, async (p) => {
    const t0 = performance.now();
    const { image, faces } = await loadAndFindFaces(p, opts);
    // the quality reject curve reads the same face's measures: kept now, not detected again later
    cacheQualityMeasures(cache, p, qConfig, image, faces.length ? largest(faces) : undefined);
    const embedded = faces.length === 0 ? null : await embedFacesWithCues(image, [largest(faces)], opts);
    // and the embedding cues its quality is refined by (the reject curve reads them too)
    cacheEmbeddingCues(cache, p, cuesConfig, embedded?.cues[0]);
    const out = embedded ? embedded.faces[0].embedding!.vector : null;
    ms += performance.now() - t0;
    computed++;
    return out;
  }, { cache, config, onProgress: opts.onProgress });
  return { embeddings, msPerImage: computed ? ms / computed : null };
}

/**
 * The source's pairs scored by this configuration: the metric on its embeddings, or for a fusion
 * each member embedding through its own model (and cache entry), the fused distance being 1 - P(same).
 */
async function scorePairSource(opts: EvalVerifyOptions) {
  const pairList = loadPairs(opts);
  const paths = pairImages(pairList).map((p) => join(pairList.root, p));
  const key = (p: string) => join(pairList.root, p);
  const { model, metric, score, msPerImage } = await pairScorer(paths, key, opts);
  return { pairList, model, metric, scored: scorePairs(pairList, score), msPerImage };
}

/**
 * What these options score, by the (model, metric) their calibration is stored under: a head's id
 * (verify --head looks there first), a fusion's id with metric 'fused' (its distance is
 * 1 - P(same)), else the model and its metric.
 */
export function calibrationKey(opts: Pick<EvalVerifyOptions, 'model' | 'metric' | 'head'>):
  { model: string; metric: Metric; fusion?: undefined } | { model: string; metric: 'fused'; fusion: FusionRecord } {
  const model = headFor(opts)?.id ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const fusion = parseFusionId(model);
  if (!fusion) return { model, metric: opts.metric ?? 'cosine' };
  refuseMetricForFusion(fusion, opts.metric);
  return { model: fusion.id, metric: 'fused', fusion };
}

async function pairScorer(paths: string[], key: (p: string) => string, opts: EvalVerifyOptions) {
  const scored = calibrationKey(opts);
  if (!scored.fusion) {
    const r = await embedForEval(paths, opts);
    return { model: scored.model, metric: scored.metric, score: metricScorer(r.embeddings, scored.metric, key), msPerImage: r.msPerImage };
  }
  const fusion = fusionFromRecord(scored.fusion);
  const maps: EmbeddingMap[] = [];
  let msPerImage: number | null = null;
  for (const m of fusion.members) {
    const r = await embedForEval(paths, { ...opts, model: m.model });
    maps.push(r.embeddings);
    if (r.msPerImage !== null) msPerImage = (msPerImage ?? 0) + r.msPerImage;
  }
  return { model: fusion.id, metric: 'fused' as const, score: fusionPairScorer(maps, fusion, key), msPerImage };
}

export async function runVerificationEval(opts: EvalVerifyOptions): Promise<{ summary: EvalVerifySummary; result: VerificationResult; pairList: PairList }> {
  // labels are read (and refused) before anything is embedded
  const groupOf = opts.groupBy ? groupLabels(opts.groupBy, opts.pairs ? undefined : opts.dataset) : undefined;
  if (groupOf && opts.threshold === undefined) getCalibration(calibrationKey(opts).model, calibrationKey(opts).metric); // no calibration: fail now, not after embedding
  const { pairList, model, metric, scored, msPerImage } = await scorePairSource({ ...opts, groupOf });
  const detector = opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR);
  const key = (p: string) => join(pairList.root, p);
  const cache = EmbeddingCache.open(opts.cacheDir ?? join(cacheDir(), 'eval'));
  const paths = pairImages(pairList).map(key);
  // quality as verify sees it: the image cues refined by the (first) recognizer's output
  const scoredKey = calibrationKey(opts);
  const cueOpts = { ...opts, model: scoredKey.fusion ? fusionFromRecord(scoredKey.fusion).members[0].model : (headFor(opts)?.baseModel ?? opts.model ?? DEFAULT_EMBED_MODEL) };
  const cues = await embeddingCuesFor(paths, { ...cueOpts, cache, config: embeddingCuesConfig(embeddingConfig(cueOpts)) });
  const quality = qualityScores(await qualityMeasuresFor(paths, { ...opts, cache }), { model: cueOpts.model, cues });
  const qualityReject = qualityRejectCurve(scored, (img) => quality.get(key(img)) ?? null, { folds: opts.folds });
  const result = evaluateVerification(scored, { folds: opts.folds, root: pairList.root, meta: { model, detector, metric, dataset: opts.dataset ?? opts.pairs ?? '', seed: opts.seed ?? 1 } });
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
    qualityReject,
  };
  if (groupOf) {
    const threshold = opts.threshold ?? getCalibration(model, metric).threshold;
    summary.groups = groupReport(scored, groupOf, { field: opts.groupBy!.field, threshold });
  }
  return { summary, result, pairList };
}

export interface EvalIdentifyOptions extends FaceOptions {
  /** folder of <identity>/<images> */
  dataset: string;
  seed?: number;
  /** share of identities held out of the gallery as strangers (default 0.2) */
  strangerFraction?: number;
  metric?: Metric;
  /** open-set threshold; default: the stored calibration's for (model, metric), else curve only */
  threshold?: number;
  cacheDir?: string;
  onProgress?: OnProgress;
}

export interface EvalIdentifySummary {
  model: string;
  detector: string;
  metric: Metric;
  galleryIdentities: number;
  enrolledProbes: number;
  strangerProbes: number;
  rank1: number;
  rank5: number;
  threshold: number | null;
  /** where the threshold came from */
  thresholdSource: 'given' | 'calibration' | 'none';
  dir: number | null;
  fpir: number | null;
  /** best DIR with FPIR <= 0.01 and <= 0.1 */
  dirAtFpir: { '0.01': number; '0.1': number };
  noFace: { gallery: number; enrolledProbes: number; strangerProbes: number };
  msPerImage: number | null;
}

/** One-shot identification with held-out strangers on a dataset folder, through the pipeline and cache. */
export async function runIdentificationEval(opts: EvalIdentifyOptions): Promise<{ summary: EvalIdentifySummary; result: IdentificationResult; split: IdentificationSplit; root: string }> {
  notFusion(opts.model, 'identification');
  const ds = listDataset(opts.dataset);
  const split = splitIdentification(ds, { seed: opts.seed, strangerFraction: opts.strangerFraction });
  const metric = opts.metric ?? 'cosine';
  const model = headFor(opts)?.id ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const detector = opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR);
  const rel = [...split.gallery.map((g) => g.image), ...split.probes.map((p) => p.image)];
  const { embeddings, msPerImage } = await embedForEval(rel.map((p) => join(ds.root, p)), opts);
  const byRel: EmbeddingMap = new Map(rel.map((p) => [p, embeddings.get(join(ds.root, p)) ?? null]));
  let threshold = opts.threshold;
  let thresholdSource: EvalIdentifySummary['thresholdSource'] = threshold === undefined ? 'none' : 'given';
  if (threshold === undefined) {
    try { threshold = getCalibration(model, metric).threshold; thresholdSource = 'calibration'; } catch { /* no calibration: curve only */ }
  }
  const result = evaluateIdentification(split, byRel, { metric, threshold });
  const summary: EvalIdentifySummary = {
    model, detector, metric,
    galleryIdentities: result.counts.galleryIdentities,
    enrolledProbes: result.counts.enrolledProbes,
    strangerProbes: result.counts.strangerProbes,
    rank1: result.rank1,
    rank5: result.rank5,
    threshold: threshold ?? null,
    thresholdSource,
    dir: result.dir ?? null,
    fpir: result.fpir ?? null,
    dirAtFpir: { '0.01': dirAtFpir(result.curve, 0.01).dir, '0.1': dirAtFpir(result.curve, 0.1).dir },
    noFace: result.noFace,
    msPerImage,
  };
  return { summary, result, split, root: ds.root };
}

export interface CalibrateOptions extends EvalVerifyOptions {
  /** FAR the stored threshold is chosen for (default 1e-3) */
  targetFar?: number;
}

/**
 * Fits the calibration record for (model, metric) on labelled pairs (all scored pairs; no-face
 * pairs left out). It is returned, not saved: the caller decides (saveCalibration).
 */
export async function runCalibration(opts: CalibrateOptions): Promise<{ calibration: Calibration; result: VerificationResult }> {
  // named by calibrationKey: a head's id, a fusion's id with 'fused', or the model and metric
  const { pairList, model, metric, scored } = await scorePairSource(opts);
  const genuine = scored.filter((p) => p.same && p.distance !== null).map((p) => p.distance!);
  const impostor = scored.filter((p) => !p.same && p.distance !== null).map((p) => p.distance!);
  const dataset = opts.pairs
    ? `pairs ${basename(opts.pairs)}`
    : `${basename(opts.dataset ?? '')} (seed ${opts.seed ?? 1}, ${opts.pairsPerClass ?? 10} pairs per class)`;
  const calibration = fitCalibration(genuine, impostor, { targetFar: opts.targetFar ?? DEFAULT_TARGET_FAR, model, metric, dataset });
  calibration.config = embeddingConfig(opts);
  calibration.fittedAt = new Date().toISOString();
  const result = evaluateVerification(scored, { folds: opts.folds, root: pairList.root, meta: { model, metric, dataset } });
  return { calibration, result };
}
