/**
 * Verification metrics on distance lists. Direction, everywhere: scores are *distances* (lower =
 * more alike) and a pair is accepted as "same person" when distance <= threshold.
 *   TAR(t) = share of genuine pairs with d <= t     FAR(t) = share of impostor pairs with d <= t
 * To evaluate similarity scores (higher = more alike), pass their negatives.
 */
import { FacekitError } from '../errors/index.js';
import { justBelow } from '../compare/threshold.js';

export interface Scores {
  genuine: readonly number[];
  impostor: readonly number[];
}

export interface RocPoint {
  /** accept when d <= threshold; the first point (nothing accepted) has threshold -Infinity */
  threshold: number;
  far: number;
  tar: number;
}

function check(s: Scores): void {
  if (s.genuine.length === 0 || s.impostor.length === 0) {
    throw new FacekitError('BAD_ARGUMENT', `metrics need genuine and impostor scores (got ${s.genuine.length} genuine, ${s.impostor.length} impostor)`);
  }
  for (const xs of [s.genuine, s.impostor]) for (const x of xs) {
    if (Number.isNaN(x)) throw new FacekitError('BAD_ARGUMENT', 'a score is NaN: leave out pairs without a face and report them apart');
  }
}

interface Sweep { values: number[]; g: number[]; i: number[] }

/** Distinct score values ascending, with the cumulative genuine and impostor counts at each. */
function sweep(s: Scores): Sweep {
  const all: [number, number][] = [];
  for (const d of s.genuine) all.push([d, 1]);
  for (const d of s.impostor) all.push([d, 0]);
  all.sort((a, b) => a[0] - b[0]);
  const values: number[] = [], g: number[] = [], i: number[] = [];
  let cg = 0, ci = 0;
  for (let k = 0; k < all.length; k++) {
    if (all[k][1]) cg++; else ci++;
    if (k === all.length - 1 || all[k + 1][0] !== all[k][0]) { values.push(all[k][0]); g.push(cg); i.push(ci); }
  }
  return { values, g, i };
}

/** ROC from (0,0) to (1,1): one point per distinct score, ties moving both rates at once. */
export function rocCurve(s: Scores): RocPoint[] {
  check(s);
  const { values, g, i } = sweep(s);
  const ng = s.genuine.length, ni = s.impostor.length;
  const pts: RocPoint[] = [{ threshold: -Infinity, far: 0, tar: 0 }];
  values.forEach((v, k) => pts.push({ threshold: v, far: i[k] / ni, tar: g[k] / ng }));
  return pts;
}

/** Area under the ROC by trapezoids: P(d_genuine < d_impostor) + P(tie) / 2. */
export function auc(roc: readonly RocPoint[]): number {
  let a = 0;
  for (let k = 1; k < roc.length; k++) a += (roc[k].far - roc[k - 1].far) * (roc[k].tar + roc[k - 1].tar) / 2;
  return a;
}

export interface EerResult { eer: number; threshold: number }

/**
 * Equal error rate: where FAR = FRR (= 1 - TAR), linearly interpolated between the two ROC points
 * that straddle it; the threshold is interpolated the same way.
 */
export function eer(roc: readonly RocPoint[]): EerResult {
  const diff = (p: RocPoint) => p.far - (1 - p.tar);
  for (let k = 0; k < roc.length; k++) {
    const dk = diff(roc[k]);
    if (dk < 0) continue;
    if (dk === 0 || k === 0) return { eer: roc[k].far, threshold: roc[k].threshold };
    const p = roc[k - 1], q = roc[k];
    const alpha = -diff(p) / (dk - diff(p));
    const t0 = Number.isFinite(p.threshold) ? p.threshold : q.threshold;
    return { eer: p.far + alpha * (q.far - p.far), threshold: t0 + alpha * (q.threshold - t0) };
  }
  const last = roc[roc.length - 1];
  return { eer: last.far, threshold: last.threshold };
}

export interface TarAtFar {
  far: number;
  tar: number;
  /** accept when d <= threshold */
  threshold: number;
  /** FAR actually reached (<= far) */
  achievedFar: number;
  /**
   * false when there are too few impostors to measure this FAR (fewer than 1/far): the figure then
   * means "TAR with no false accept at all", not TAR at that FAR
   */
  resolvable: boolean;
}

/** Highest TAR over the ROC points whose FAR does not exceed `far` (no interpolation: conservative). */
export function tarAtFar(roc: readonly RocPoint[], far: number, impostorCount?: number): TarAtFar {
  let best = roc[0];
  for (const p of roc) if (p.far <= far + 1e-12 && p.tar > best.tar) best = p; // first = strictest threshold reaching that TAR
  const ni = impostorCount ?? inferImpostorCount(roc);
  return { far, tar: best.tar, threshold: best.threshold, achievedFar: best.far, resolvable: ni * far >= 1 };
}

function inferImpostorCount(roc: readonly RocPoint[]): number {
  // smallest positive FAR step is 1/n for n impostors
  let step = 1;
  for (let k = 1; k < roc.length; k++) { const d = roc[k].far - roc[k - 1].far; if (d > 1e-15 && d < step) step = d; }
  return Math.round(1 / step);
}

export function accuracyAt(s: Scores, threshold: number): number {
  check(s);
  let right = 0;
  for (const d of s.genuine) if (d <= threshold) right++;
  for (const d of s.impostor) if (d > threshold) right++;
  return right / (s.genuine.length + s.impostor.length);
}

export interface BestAccuracy { threshold: number; accuracy: number }

/**
 * The threshold with the highest accuracy (share of pairs right). Placed halfway between the last
 * accepted score and the next one, so it generalizes to held-out pairs; ties in accuracy go to the
 * smallest such threshold (stricter).
 */
export function bestAccuracyThreshold(s: Scores): BestAccuracy {
  check(s);
  const { values, g, i } = sweep(s);
  const ng = s.genuine.length, ni = s.impostor.length, n = ng + ni;
  let bestK = -1, bestRight = ni; // accept nothing: every impostor right
  values.forEach((_, k) => {
    const right = g[k] + (ni - i[k]);
    if (right > bestRight) { bestRight = right; bestK = k; }
  });
  const threshold = bestK < 0 ? justBelow(values[0])
    : bestK === values.length - 1 ? values[bestK]
      : (values[bestK] + values[bestK + 1]) / 2;
  return { threshold, accuracy: bestRight / n };
}

export interface VerificationSummary {
  auc: number;
  eer: number;
  eerThreshold: number;
  tarAtFar: TarAtFar[];
  bestAccuracy: BestAccuracy;
  genuine: number;
  impostor: number;
}

export const DEFAULT_FARS = [1e-2, 1e-3] as const;

export function summarize(s: Scores, fars: readonly number[] = DEFAULT_FARS): VerificationSummary {
  const roc = rocCurve(s);
  const e = eer(roc);
  return {
    auc: auc(roc), eer: e.eer, eerThreshold: e.threshold,
    tarAtFar: fars.map((f) => tarAtFar(roc, f, s.impostor.length)),
    bestAccuracy: bestAccuracyThreshold(s),
    genuine: s.genuine.length, impostor: s.impostor.length,
  };
}
