/**
 * Score fusion over several embedding models. A fusion turns the per-model distances of one pair
 * into P(same) and into a fused *distance* 1 - P(same), so evaluation, thresholds and calibration
 * treat it like any single model (lower = more alike, metric-free).
 *
 * Plug-in contract for the integrator: compute, for each pair, the distance under every member
 * (model, metric) in `members` order, NaN where that model found no face, and call `distance()`.
 */
import { FacekitError } from '../errors/index.js';
import { isMetric, METRICS, type Metric } from './distance.js';
import { confidence, getCalibration, type Calibration } from './calibration.js';
import { fitLogisticRegression, sigmoid } from './logistic.js';

export interface FusionMember { model: string; metric: Metric }

export type FusionRecord =
  | { id: string; kind: 'mean'; members: FusionMember[] }
  | { id: string; kind: 'logistic'; members: FusionMember[]; weights: number[]; bias: number; dataset?: string };

export interface FusionScorer {
  /** name to select it as a "model" in evaluation, e.g. 'fusion:mean(a+b)' */
  id: string;
  members: FusionMember[];
  /** P(same) from per-member distances (same order as members); NaN if it cannot be scored */
  probability(perMember: readonly number[]): number;
  /** 1 - probability: a distance in 0..1 for the evaluation and threshold code */
  distance(perMember: readonly number[]): number;
  record: FusionRecord;
}

function checkArity(perMember: readonly number[], n: number): void {
  if (perMember.length !== n) throw new FacekitError('BAD_ARGUMENT', `fusion expects ${n} distances (one per member), got ${perMember.length}`);
}

export function fusionId(kind: string, members: readonly FusionMember[]): string {
  return `fusion:${kind}(${members.map((m) => `${m.model}/${m.metric}`).join('+')})`;
}

/**
 * Mean of each member's calibrated P(same). A member without a face (NaN) is left out of the mean;
 * with no member left the pair scores NaN (to be reported as no face).
 */
export function meanProbabilityFusion(calibrations: readonly Calibration[], id?: string): FusionScorer {
  if (calibrations.length === 0) throw new FacekitError('BAD_ARGUMENT', 'fusion needs at least one model');
  const members = calibrations.map((c) => {
    if (c.metric === 'fused') throw new FacekitError('BAD_ARGUMENT', `a fusion cannot be a member of another fusion (${c.model})`);
    return { model: c.model, metric: c.metric };
  });
  const probability = (d: readonly number[]): number => {
    checkArity(d, members.length);
    let s = 0, k = 0;
    d.forEach((v, i) => { if (!Number.isNaN(v)) { s += confidence(v, calibrations[i]); k++; } });
    return k ? s / k : NaN;
  };
  const fid = id ?? fusionId('mean', members);
  return { id: fid, members, probability, distance: (d) => 1 - probability(d), record: { id: fid, kind: 'mean', members } };
}

export interface FusionSample {
  /** per-member distances, members order */
  distances: readonly number[];
  same: boolean;
}

/** Fits P(same) = sigmoid(bias + sum_i w_i d_i) on labelled pairs; samples with a NaN are skipped. */
export function fitLogisticFusion(members: readonly FusionMember[], samples: readonly FusionSample[], opts: { id?: string; dataset?: string } = {}): FusionScorer {
  const usable = samples.filter((s) => s.distances.length === members.length && s.distances.every(Number.isFinite));
  if (!usable.some((s) => s.same) || !usable.some((s) => !s.same)) {
    throw new FacekitError('BAD_ARGUMENT', 'logistic fusion needs genuine and impostor pairs scored by every member');
  }
  const fit = fitLogisticRegression(usable.map((s) => [...s.distances]), usable.map((s) => (s.same ? 1 : 0)));
  const id = opts.id ?? fusionId('logistic', members);
  return fusionFromRecord({ id, kind: 'logistic', members: [...members], weights: fit.weights, bias: fit.bias, dataset: opts.dataset });
}

/** Rebuilds a scorer from its stored record; 'mean' fusions load each member's calibration. */
export function fusionFromRecord(rec: FusionRecord, getCal: (model: string, metric: Metric) => Calibration = getCalibration): FusionScorer {
  if (rec.kind === 'mean') return meanProbabilityFusion(rec.members.map((m) => getCal(m.model, m.metric)), rec.id);
  if (rec.weights.length !== rec.members.length) throw new FacekitError('BAD_ARGUMENT', `fusion '${rec.id}' has ${rec.weights.length} weights for ${rec.members.length} members`);
  const probability = (d: readonly number[]): number => {
    checkArity(d, rec.members.length);
    let z = rec.bias;
    for (let i = 0; i < d.length; i++) z += rec.weights[i] * d[i];
    return Number.isNaN(z) ? NaN : sigmoid(z);
  };
  return { id: rec.id, members: rec.members, probability, distance: (d) => 1 - probability(d), record: rec };
}

/**
 * The fusion selected by the model name 'fusion': the two recognizers whose averaged P(same) had
 * the best 10-fold accuracy through detection (bench/verify-accuracy.ts).
 */
export const ACCURATE_FUSION = 'fusion:mean(fr_feature/cosine+faceapi-recognition/cosine)';

/** A fusion's members carry their own metrics: asking for another one is an error, not ignored. */
export function refuseMetricForFusion(rec: FusionRecord, metric: string | undefined): void {
  if (metric) {
    throw new FacekitError('BAD_ARGUMENT', `a fusion compares with its members' own metrics (${rec.members.map((m) => `${m.model}/${m.metric}`).join(', ')}); drop the metric`);
  }
}

/**
 * Reads a fusion named like a model: 'fusion:mean(modelA/cosine+modelB/euclidean_l2)', the form
 * fusionId writes (or 'fusion' for ACCURATE_FUSION), so a mean fusion can be selected wherever a model id is taken. Returns
 * undefined for plain model ids. Logistic fusions carry fitted weights: load those from their record.
 */
export function parseFusionId(id: string): FusionRecord | undefined {
  if (id === 'fusion') return parseFusionId(ACCURATE_FUSION);
  if (!id.startsWith('fusion:')) return undefined;
  const m = /^fusion:(\w+)\((.+)\)$/.exec(id);
  const bad = (why: string) => new FacekitError('BAD_ARGUMENT', `bad fusion '${id}': ${why} (expected fusion:mean(model/metric+model/metric...))`);
  if (!m) throw bad('cannot read it');
  if (m[1] !== 'mean') throw bad(`only 'mean' fusions can be named inline, '${m[1]}' needs its fitted record`);
  const members = m[2].split('+').map((s) => {
    const [model, metric, ...rest] = s.trim().split('/');
    if (!model || rest.length || !isMetric(metric)) throw bad(`member '${s}' is not model/metric with metric one of ${METRICS.join(', ')}`);
    return { model, metric };
  });
  return { id, kind: 'mean', members };
}
