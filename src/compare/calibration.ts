/**
 * Calibration as data: per (model, metric), a decision threshold for a stated FAR and a map from
 * distance to P(same), both fitted on labelled pairs and stored as JSON beside this file
 * (calibrations/<model>.<metric>.json). `facekit calibrate` writes them with `saveCalibration`.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FacekitError } from '../errors/index.js';
import { isMetric, type Metric } from './distance.js';
import { fitLogisticRegression, sigmoid } from './logistic.js';
import { anchorIsotonic, fitIsotonic, isotonicProbability, type IsotonicTable } from './isotonic.js';
import { thresholdAtFar } from './threshold.js';

/** What a calibration's distance is: a metric's, or 'fused' for a fusion's 1 - P(same). */
export type CalibratedScore = Metric | 'fused';

export interface Calibration {
  model: string;
  metric: CalibratedScore;
  /** accept as same person when distance <= threshold */
  threshold: number;
  /** FAR the threshold was chosen for */
  targetFar: number;
  /** FAR and TAR the threshold reached on the fitting pairs */
  far?: number;
  tar?: number;
  /** which data it was fitted on (folder name, protocol, seed) */
  dataset: string;
  /** how the embeddings were made (detector, alignment ...), as the eval cache's configuration string */
  config?: string;
  /** number of genuine and impostor pairs used */
  pairs: { genuine: number; impostor: number };
  /** P(same | d) = sigmoid(a*d + b), a < 0 */
  logistic: { a: number; b: number };
  isotonic?: IsotonicTable;
  /**
   * 'threshold': both maps were moved so P(same) = 0.5 exactly at `threshold` (confidence >= 0.5
   * agrees with the decision); `fittedLogistic` keeps the plain maximum-likelihood fit.
   * Absent or 'fit': the maps are the plain fits (0.5 falls near the equal-error point).
   */
  anchor?: 'threshold' | 'fit';
  fittedLogistic?: { a: number; b: number };
  /** ISO date of the fit */
  fittedAt?: string;
}

export interface FitCalibrationOptions {
  targetFar?: number;
  model?: string;
  metric?: CalibratedScore;
  dataset?: string;
  /** also fit the isotonic table (default true) */
  isotonic?: boolean;
  /**
   * Weight the two classes equally, so P(same) does not carry the genuine/impostor ratio of the
   * fitting set as a prior (default false: plain maximum likelihood on the pairs as given).
   */
  balanced?: boolean;
  /**
   * 'threshold' (default): shift the maps so P(same) = 0.5 at the decision threshold, so a pair is
   * accepted exactly when its confidence is at least 0.5. For the logistic that is a change of the
   * intercept only (the prior odds at which the threshold is the equal-cost decision); the isotonic
   * table is rescaled piecewise-linearly on each side of the threshold, keeping its order.
   * 'fit': the plain fits, whose 0.5 point sits near the equal-error distance, far looser than a
   * threshold chosen for FAR 1e-3.
   */
  anchor?: 'threshold' | 'fit';
}

export const DEFAULT_TARGET_FAR = 1e-3;

export function fitCalibration(genuine: readonly number[], impostor: readonly number[], opts: FitCalibrationOptions = {}): Calibration {
  if (genuine.length === 0 || impostor.length === 0) {
    throw new FacekitError('BAD_ARGUMENT', `calibration needs genuine and impostor pairs (got ${genuine.length} genuine, ${impostor.length} impostor)`);
  }
  const targetFar = opts.targetFar ?? DEFAULT_TARGET_FAR;
  const thr = thresholdAtFar(impostor, targetFar);
  const x = [...genuine, ...impostor].map((d) => [d]);
  const y = [...genuine.map(() => 1), ...impostor.map(() => 0)];
  const n = y.length;
  const sampleWeights = opts.balanced
    ? y.map((l) => (l ? n / (2 * genuine.length) : n / (2 * impostor.length)))
    : undefined;
  const fit = fitLogisticRegression(x, y, { sampleWeights });
  const a = fit.weights[0];
  if (!(a < 0)) {
    throw new FacekitError('BAD_ARGUMENT', 'genuine pairs are not closer than impostor pairs on these data (fitted slope >= 0): check the labels or the metric');
  }
  const tar = genuine.filter((d) => d <= thr.threshold).length / genuine.length;
  const anchored = (opts.anchor ?? 'threshold') === 'threshold';
  const isotonic = opts.isotonic === false ? undefined : fitIsotonic(genuine, impostor);
  return {
    model: opts.model ?? 'unknown',
    metric: opts.metric ?? 'cosine',
    threshold: thr.threshold,
    targetFar,
    far: thr.far,
    tar,
    dataset: opts.dataset ?? 'unknown',
    pairs: { genuine: genuine.length, impostor: impostor.length },
    logistic: { a, b: anchored ? -a * thr.threshold : fit.bias },
    ...(isotonic ? { isotonic: anchored ? anchorIsotonic(isotonic, thr.threshold) : isotonic } : {}),
    anchor: anchored ? 'threshold' : 'fit',
    ...(anchored ? { fittedLogistic: { a, b: fit.bias } } : {}),
  };
}

/** P(same person) for a distance, in 0..1; `method: 'isotonic'` uses the table when present. */
export function confidence(d: number, cal: Pick<Calibration, 'logistic' | 'isotonic'>, opts: { method?: 'logistic' | 'isotonic' } = {}): number {
  if (Number.isNaN(d)) return NaN;
  if (opts.method === 'isotonic' && cal.isotonic) return isotonicProbability(cal.isotonic, d);
  return sigmoid(cal.logistic.a * d + cal.logistic.b);
}

/**
 * The documented rule when no calibration is stored: a logistic centred on the caller's threshold,
 * P = 0.5 at the threshold, 0.9 at half of it and 0.1 at 1.5 times it. It says "near or far from
 * the threshold", not a measured probability.
 */
export function fallbackCalibration(model: string, metric: CalibratedScore, threshold: number): Calibration {
  if (!(threshold > 0)) throw new FacekitError('BAD_ARGUMENT', `fallback threshold must be > 0 (got ${threshold})`);
  const a = -2 * Math.log(9) / threshold;
  return {
    model, metric, threshold, targetFar: NaN, dataset: 'none (fallback rule)', pairs: { genuine: 0, impostor: 0 },
    logistic: { a, b: -a * threshold },
  };
}

const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'calibrations');

function fileName(model: string, metric: CalibratedScore): string {
  return `${model.replace(/[^A-Za-z0-9_.-]/g, '_')}.${metric}.json`;
}

export function validateCalibration(x: unknown, where: string): Calibration {
  const c = x as Partial<Calibration> | null;
  const ok = !!c && typeof c.model === 'string' && (isMetric(c.metric) || c.metric === 'fused') && typeof c.threshold === 'number'
    && typeof c.targetFar === 'number' && typeof c.dataset === 'string'
    && !!c.logistic && Number.isFinite(c.logistic.a) && Number.isFinite(c.logistic.b) && c.logistic.a < 0
    && !!c.pairs;
  if (!ok) throw new FacekitError('BAD_ARGUMENT', `${where} is not a valid calibration record (needs model, metric, threshold, targetFar, dataset, pairs, logistic {a<0, b})`);
  return c as Calibration;
}

export function listCalibrations(dir: string = DEFAULT_DIR): Calibration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => validateCalibration(JSON.parse(readFileSync(join(dir, f), 'utf8')), join(dir, f)));
}

/** The stored calibration for (model, metric), or a NOT_FOUND error naming both. */
export function getCalibration(model: string, metric: CalibratedScore, dir: string = DEFAULT_DIR): Calibration {
  const p = join(dir, fileName(model, metric));
  if (!existsSync(p)) {
    const have = listCalibrations(dir).map((c) => `${c.model}/${c.metric}`);
    throw new FacekitError('NOT_FOUND', `no calibration for model '${model}' with metric '${metric}'`
      + ` (have: ${have.length ? have.join(', ') : 'none'}); run \`facekit calibrate\` or pass a threshold`, { model, metric });
  }
  const c = validateCalibration(JSON.parse(readFileSync(p, 'utf8')), p);
  if (c.model !== model || c.metric !== metric) throw new FacekitError('BAD_ARGUMENT', `${p} holds ${c.model}/${c.metric}, not ${model}/${metric}`);
  return c;
}

/** The stored calibration, or the fallback rule around `threshold` when none exists. */
export function getCalibrationOr(model: string, metric: CalibratedScore, threshold: number, dir: string = DEFAULT_DIR): Calibration {
  try {
    return getCalibration(model, metric, dir);
  } catch (e) {
    if (e instanceof FacekitError && e.code === 'NOT_FOUND') return fallbackCalibration(model, metric, threshold);
    throw e;
  }
}

export function saveCalibration(cal: Calibration, dir: string = DEFAULT_DIR): string {
  validateCalibration(cal, 'calibration');
  mkdirSync(dir, { recursive: true });
  const p = join(dir, fileName(cal.model, cal.metric));
  writeFileSync(p, JSON.stringify(cal, null, 2) + '\n');
  return p;
}
