import { spoofCheckIfAsked, type AntiSpoofOption, type SpoofResult } from '../analyze/index.js';
import {
  confidence, distance, fallbackCalibration, fusionFromRecord, getCalibration, parseFusionId, readCalibration, refuseMetricForFusion, validateCalibration, type CalibratedScore, type Calibration, type FusionMember, type Metric,
} from '../compare/index.js';
import { DEFAULT_DETECTOR } from '../detect/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import { summarizeFace, type Face, type FaceSummary } from '../face.js';
import { roundMeasure } from '../rounding.js';
import type { ImageInput } from '../image/index.js';
import { embedFacesOfImages, headCalibration, headFor, loadAndFindFaces, loadedHead, type FaceOptions } from '../pipeline/index.js';
import { minQualityFrom, qualityGate, type Undecided } from './quality-gate.js';

export { DEFAULT_MIN_QUALITY, minQualityFrom, qualityGate, type Undecided } from './quality-gate.js';

export const DEFAULT_METRIC: Metric = 'cosine';

export interface VerifyOptions extends FaceOptions {
  metric?: Metric;
  /** overrides the calibrated threshold */
  threshold?: number;
  /**
   * decide with this calibration instead of the stored ones (the user's fit, else the shipped one):
   * a record, or the path of its JSON file (facekit calibrate --out). It must be for the model (or
   * head, or fusion) and metric compared.
   */
  calibration?: Calibration | string;
  /**
   * also judge each compared face live or presented (photo, screen). A spoof is reported in the
   * result (isReal false, per-face spoof score), never thrown; `verified` stays the identity decision.
   */
  antiSpoof?: AntiSpoofOption;
  /**
   * a face below this quality (0-1) gets no yes/no: `verified` is null and `undecided` says why
   * (default DEFAULT_MIN_QUALITY; 0 decides on any face)
   */
  minQuality?: number;
}

export interface VerifiedFace extends FaceSummary {
  /** set when anti-spoofing ran */
  spoof?: SpoofResult;
}

export interface VerifyResult {
  /** null when a face is below the minimum quality (see `undecided`) */
  verified: boolean | null;
  /** set when no decision was made: a face below the minimum quality */
  undecided?: Undecided;
  distance: number;
  threshold: number;
  /** calibrated P(same person) for this distance */
  confidence: number;
  model: string;
  detector: string;
  /** 'fused' for a fusion model: its distance is 1 - P(same) averaged over the members */
  metric: CalibratedScore;
  /** the compared face of each image (spoof set when anti-spoofing ran) */
  faces: [VerifiedFace, VerifiedFace];
  /** with antiSpoof: both faces judged live (false when either looks presented) */
  isReal?: boolean;
  /** set when an image held several faces and the largest was compared */
  note?: string;
  ms: number;
}

function largest(faces: Face[]): Face {
  return faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
}

/**
 * The calibration verify uses for (model, metric): the user's fit (facekit calibrate), else the
 * shipped one, else a clear error naming the way out. A head's id (from --head) resolves to the
 * head's own calibration.
 */
export function calibrationFor(model: string, metric: CalibratedScore): Calibration {
  const head = headNamed(model, metric);
  if (head) return headCalibration(head, metric as Metric);
  try {
    return getCalibration(model, metric);
  } catch {
    const how = metric === 'fused' ? `--model '${model}'` : `--model ${model} --metric ${metric}`;
    throw new FacekitError(
      'BAD_ARGUMENT',
      `no calibration for model ${model} with metric ${metric}: run "facekit calibrate ${how}" on labelled faces, or pass a threshold`,
    );
  }
}

/** The loaded head `model` names; a head's id names one model's embeddings, never a fusion's score. */
function headNamed(model: string, metric: CalibratedScore) {
  return metric === 'fused' ? undefined : loadedHead(model);
}

function tryCalibration(model: string, metric: CalibratedScore): Calibration | undefined {
  try {
    const head = headNamed(model, metric);
    return head ? headCalibration(head, metric as Metric) : getCalibration(model, metric);
  } catch {
    return undefined;
  }
}

/**
 * The calibration a decision uses. Without an explicit threshold a stored one (calibrationFor) is
 * required; with one, the stored confidence map is still reported when there is one.
 */
export function decisionCalibration(model: string, metric: CalibratedScore, threshold?: number): Calibration {
  // a fusion scores pairs; a gallery search compares one model's embeddings
  if (metric !== 'fused' && parseFusionId(model)) {
    throw new FacekitError('BAD_ARGUMENT', `'${model}' fuses several recognition models to verify a pair (facekit verify --model fusion); matching against a gallery needs one recognition model, such as ${DEFAULT_EMBED_MODEL}`);
  }
  if (threshold === undefined) return calibrationFor(model, metric);
  return tryCalibration(model, metric) ?? fallbackCalibration(model, metric, threshold);
}

/** A calibration the caller chose: one for another model or metric would decide on the wrong scale, so it is refused. */
function givenCalibration(given: Calibration | string, model: string, metric: CalibratedScore): Calibration {
  const cal = typeof given === 'string' ? readCalibration(given) : validateCalibration(given, 'calibration');
  if (cal.model !== model || cal.metric !== metric) {
    throw new FacekitError('BAD_ARGUMENT', `the calibration given is for ${cal.model} / ${cal.metric}, not ${model} / ${metric}`);
  }
  return cal;
}

export interface EmbeddingComparison {
  verified: boolean;
  distance: number;
  threshold: number;
  confidence: number;
}

/**
 * The 1:1 decision on a distance with its calibration in hand: threshold (explicit or calibrated)
 * and confidence. Decided on the exact distance; the figures are then rounded for output.
 */
function decideOnDistance(d: number, cal: Calibration, explicitThreshold?: number): EmbeddingComparison {
  const threshold = explicitThreshold ?? cal.threshold;
  // an explicit threshold is the caller's own number and is echoed as given
  return { verified: d <= threshold, distance: roundMeasure(d), threshold: explicitThreshold ?? roundMeasure(threshold), confidence: roundMeasure(confidence(d, cal)) };
}

/** The 1:1 decision on two embeddings: distance, threshold (explicit or calibrated), confidence. */
export function compareEmbeddings(a: Float32Array, b: Float32Array, opts: { model: string; metric: Metric; threshold?: number }): EmbeddingComparison {
  return decideOnDistance(distance(a, b, opts.metric), decisionCalibration(opts.model, opts.metric, opts.threshold), opts.threshold);
}

/**
 * Everything a 1:1 decision needs before any image is read: which models embed the two faces, and
 * how their distances become the decision. A single model (or a head over one) is a fusion of one
 * member; a fusion ('fusion' or 'fusion:mean(a/cosine+b/cosine)') decides on 1 - P(same), calibrated
 * like a model (facekit calibrate --model fusion). Fails on a missing calibration up front, so no
 * model runs for a request that cannot be decided.
 */
export interface VerifyPlan {
  /** the id the result and its calibration carry: a model, a head or a fusion */
  label: string;
  metric: CalibratedScore;
  /** the models to embed both faces with, each measured with its own metric */
  members: FusionMember[];
  /** the decision from each member's distance, in members order */
  decide(perMember: readonly number[]): EmbeddingComparison;
}

export function planVerification(opts: {
  model?: string; metric?: Metric; threshold?: number; calibration?: Calibration | string; head?: { id: string; baseModel: string };
}): VerifyPlan {
  const { head } = opts;
  const fusionRecord = opts.model ? parseFusionId(opts.model) : undefined;
  if (fusionRecord && head) throw new FacekitError('BAD_ARGUMENT', 'a head applies to one recognition model, not to a fusion');
  if (fusionRecord) refuseMetricForFusion(fusionRecord, opts.metric);
  const model = head?.baseModel ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const label = head?.id ?? fusionRecord?.id ?? model;
  const metric: CalibratedScore = fusionRecord ? 'fused' : (opts.metric ?? DEFAULT_METRIC);
  // read once: the decision uses this calibration, and a missing one fails here
  const cal = opts.calibration === undefined ? decisionCalibration(label, metric, opts.threshold) : givenCalibration(opts.calibration, label, metric);
  const fusion = fusionRecord ? fusionFromRecord(fusionRecord) : undefined;
  return {
    label,
    metric,
    members: fusion?.members ?? [{ model, metric: opts.metric ?? DEFAULT_METRIC }],
    decide: (perMember) => decideOnDistance(fusion ? fusion.distance(perMember) : perMember[0], cal, opts.threshold),
  };
}

/** Same person? The largest face of each image is compared. */
export async function verify(a: ImageInput, b: ImageInput, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const t0 = performance.now();
  // with a head: its base model runs, and its id names (and calibrates) the headed embeddings
  const plan = planVerification({ ...opts, head: headFor(opts) });
  const minQuality = minQualityFrom(opts.minQuality);
  const [ra, rb] = await Promise.all([loadAndFindFaces(a, opts), loadAndFindFaces(b, opts)]);
  const notes: string[] = [];
  const pick = (faces: Face[], which: string): Face => {
    if (faces.length === 0) throw new FacekitError('NO_FACE', `no face found in the ${which} image`, { image: which });
    if (faces.length > 1) notes.push(`${faces.length} faces in the ${which} image; compared the largest`);
    return largest(faces);
  };
  const fa = pick(ra.faces, 'first');
  const fb = pick(rb.faces, 'second');
  const sa = await spoofCheckIfAsked(ra.image, fa, opts.antiSpoof);
  const sb = await spoofCheckIfAsked(rb.image, fb, opts.antiSpoof);
  const perMember: number[] = [];
  // the quality the gate reads is refined by the first recognizer's output (embedFaces)
  let qa = fa;
  let qb = fb;
  for (const m of plan.members) {
    const [ea, eb] = await embedFacesOfImages([{ image: ra.image, face: fa }, { image: rb.image, face: fb }], { ...opts, model: m.model });
    if (perMember.length === 0) [qa, qb] = [ea, eb];
    perMember.push(distance(ea.embedding!.vector, eb.embedding!.vector, m.metric));
  }
  const undecided = qualityGate([['the first face', qa.quality], ['the second face', qb.quality]], minQuality);
  return {
    ...plan.decide(perMember),
    ...(undecided ? { verified: null, undecided } : {}),
    model: plan.label,
    detector: opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR),
    metric: plan.metric,
    faces: [{ ...summarizeFace(qa), ...(sa ? { spoof: sa } : {}) }, { ...summarizeFace(qb), ...(sb ? { spoof: sb } : {}) }],
    ...(sa && sb ? { isReal: sa.isReal && sb.isReal } : {}),
    ...(notes.length ? { note: notes.join('; ') } : {}),
    ms: performance.now() - t0,
  };
}
