/**
 * Calibration as data: per (model, metric), a decision threshold for a stated FAR and a map from
 * distance to P(same), both fitted on labelled pairs and stored as JSON files named
 * <model>.<metric>.json. facekit ships its maintainers' fits beside this file (calibrations/);
 * `facekit calibrate` stores a user's fits in their data directory (saveCalibration), and a lookup
 * reads the user's file before the shipped one. The shipped folder is never written: it is inside
 * the installed package, shared by every user and replaced on upgrade.
 */
import { readdirSync, readFileSync, existsSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { facekitDataDir } from '../data-dir.js';
import { ParsedFiles } from '../file-cache.js';
import { FacekitError } from '../errors/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';
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

/**
 * The calibrations facekit ships, read-only at run time. Maintainers refresh one by fitting it with
 * `facekit calibrate` (which writes to their data directory) and committing a copy here.
 */
export const SHIPPED_CALIBRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'calibrations');

/** Where `facekit calibrate` stores a user's fits: <data dir>/calibrations. */
export function userCalibrationDir(): string {
  return join(facekitDataDir(), 'calibrations');
}

/** The folders a lookup reads, first match wins: an explicit folder alone, else the user's fits over the shipped ones. */
function lookupDirs(dir?: string): string[] {
  return dir === undefined ? [userCalibrationDir(), SHIPPED_CALIBRATIONS_DIR] : [dir];
}

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

/** A calibration record from a JSON file (a stored one, or any file a user names). */
export function readCalibration(p: string): Calibration {
  // every verify and identify looks its calibration up; parsing the file each time cost about
  // 0.4 ms of a 35 ms verify. A file rewritten (facekit calibrate) is read again.
  const calibration = parsedCalibrations.get(p, (file) => {
    let x: unknown;
    try {
      x = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new FacekitError('BAD_ARGUMENT', `${file} is not valid JSON (${(e as Error).message})`);
    }
    return deepFreeze(validateCalibration(x, file));
  });
  if (!calibration) throw new FacekitError('NOT_FOUND', `calibration file not found: ${p}`);
  return calibration;
}

/** Parsed calibration files; shared by every caller, hence frozen. */
const parsedCalibrations = new ParsedFiles<Calibration>();

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/** Every calibration a lookup can find (one per model and metric, the user's fit over the shipped one); `dir`: that folder only. */
export function listCalibrations(dir?: string): Calibration[] {
  const byName = new Map<string, string>();
  for (const d of lookupDirs(dir)) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((f) => f.endsWith('.json'))) if (!byName.has(f)) byName.set(f, join(d, f));
  }
  return [...byName.keys()].sort().map((f) => readCalibration(byName.get(f)!));
}

/** The file a lookup for (model, metric) reads, or undefined when there is none; `dir`: that folder only. */
export function calibrationPath(model: string, metric: CalibratedScore, dir?: string): string | undefined {
  return lookupDirs(dir).map((d) => join(d, fileName(model, metric))).find((p) => existsSync(p));
}

/**
 * The calibration for (model, metric): the user's fit (userCalibrationDir) when there is one, else
 * the shipped one, else a NOT_FOUND error naming both; `dir`: read that folder only.
 */
export function getCalibration(model: string, metric: CalibratedScore, dir?: string): Calibration {
  const p = calibrationPath(model, metric, dir);
  if (!p) {
    const have = listCalibrations(dir).map((c) => `${c.model}/${c.metric}`);
    throw new FacekitError('NOT_FOUND', `no calibration for model '${model}' with metric '${metric}'`
      + ` (have: ${have.length ? have.join(', ') : 'none'}); run \`facekit calibrate\` or pass a threshold`, { model, metric });
  }
  const c = readCalibration(p);
  if (c.model !== model || c.metric !== metric) throw new FacekitError('BAD_ARGUMENT', `${p} holds ${c.model}/${c.metric}, not ${model}/${metric}`);
  return c;
}

/** The stored calibration, or the fallback rule around `threshold` when none exists. */
export function getCalibrationOr(model: string, metric: CalibratedScore, threshold: number, dir?: string): Calibration {
  try {
    return getCalibration(model, metric, dir);
  } catch (e) {
    if (e instanceof FacekitError && e.code === 'NOT_FOUND') return fallbackCalibration(model, metric, threshold);
    throw e;
  }
}

/** `p` with symlinks resolved, through its nearest existing ancestor when `p` does not exist yet. */
function realPath(p: string): string {
  const rest: string[] = [];
  let q = resolve(p);
  while (!existsSync(q) && dirname(q) !== q) {
    rest.unshift(basename(q));
    q = dirname(q);
  }
  return join(realpathSync(q), ...rest);
}

/** Refuses to change anything inside the shipped calibrations folder, however the path reaches it (symlinks included). */
export function refuseShippedCalibrationPath(p: string, what = 'write'): void {
  const r = relative(realPath(SHIPPED_CALIBRATIONS_DIR), realPath(p));
  if (r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r))) {
    throw new FacekitError('BAD_ARGUMENT', `refusing to ${what} ${p}: it is inside facekit's shipped calibrations (${SHIPPED_CALIBRATIONS_DIR}),`
      + ` which are part of the installed package; a fitted calibration belongs in ${userCalibrationDir()} or a file of your own`);
  }
}

/** Writes a calibration record to the file `p` (a user's choice of place; never the shipped folder). */
export function writeCalibration(cal: Calibration, p: string): string {
  validateCalibration(cal, 'calibration');
  refuseShippedCalibrationPath(p);
  // a verify reading it meanwhile sees the old fit or the new one, never half a file
  writeFileAtomic(p, JSON.stringify(cal, null, 2) + '\n');
  return p;
}

/** Stores a calibration where lookups find it: <model>.<metric>.json in the user's calibrations folder (or `dir`). Returns the path. */
export function saveCalibration(cal: Calibration, dir: string = userCalibrationDir()): string {
  return writeCalibration(cal, join(dir, fileName(cal.model, cal.metric)));
}

/**
 * Removes the user's fit for (model, metric), so lookups fall back to the shipped calibration (if
 * any). Returns the removed file, or undefined when there was none.
 */
export function removeCalibration(model: string, metric: CalibratedScore, dir: string = userCalibrationDir()): string | undefined {
  const p = join(dir, fileName(model, metric));
  refuseShippedCalibrationPath(p, 'remove');
  if (!existsSync(p)) return undefined;
  rmSync(p);
  return p;
}
