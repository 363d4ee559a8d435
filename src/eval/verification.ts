/**
 * The LFW-style 10-fold verification protocol. Each pair belongs to one fold; for each fold the
 * best-accuracy threshold is chosen on the other nine and applied to it. Pairs where an image had
 * no face carry distance null: they count as errors in their fold's accuracy, take no part in
 * threshold choice or the ROC, and are reported apart.
 */
import { FacekitError } from '../errors/index.js';
import {
  rocCurve, auc, eer, tarAtFar, bestAccuracyThreshold, DEFAULT_FARS, type RocPoint, type TarAtFar,
} from './metrics.js';

export interface ScoredPair {
  img1: string;
  img2: string;
  same: boolean;
  /** null when either image had no face */
  distance: number | null;
}

export interface FoldResult {
  fold: number;
  threshold: number;
  accuracy: number;
  pairs: number;
  noFace: number;
}

export interface VerificationResult {
  /** what was evaluated, for the report: model (or fusion id), metric, dataset, seed ... */
  meta: Record<string, string | number>;
  /** folder the pair paths are relative to (the report reads thumbnails from it) */
  root?: string;
  folds: FoldResult[];
  accuracyMean: number;
  /** population standard deviation over folds (as numpy's default, used by the usual LFW scripts) */
  accuracyStd: number;
  thresholdMean: number;
  auc: number;
  eer: number;
  eerThreshold: number;
  tarAtFar: TarAtFar[];
  roc: RocPoint[];
  pairs: { genuine: number; impostor: number };
  noFace: { genuine: number; impostor: number };
  scored: ScoredPair[];
}

/**
 * Deterministic, class-stratified folds: the k-th genuine pair goes to fold k mod n, and likewise
 * the k-th impostor pair, so every fold holds the same genuine/impostor balance as the whole.
 */
export function assignFolds(pairs: readonly { same: boolean }[], folds = 10): number[] {
  let g = 0, i = 0;
  return pairs.map((p) => (p.same ? g++ : i++) % folds);
}

export interface VerificationOptions {
  folds?: number;
  fars?: readonly number[];
  meta?: Record<string, string | number>;
  root?: string;
}

export function evaluateVerification(pairs: readonly ScoredPair[], opts: VerificationOptions = {}): VerificationResult {
  const nf = opts.folds ?? 10;
  if (!(Number.isInteger(nf) && nf >= 2)) throw new FacekitError('BAD_ARGUMENT', `folds must be an integer >= 2 (got ${nf})`);
  const foldOf = assignFolds(pairs, nf);
  const scoredOnly = (keep: (k: number) => boolean) => {
    const genuine: number[] = [], impostor: number[] = [];
    pairs.forEach((p, k) => { if (keep(k) && p.distance !== null) (p.same ? genuine : impostor).push(p.distance); });
    return { genuine, impostor };
  };
  const folds: FoldResult[] = [];
  for (let f = 0; f < nf; f++) {
    const train = scoredOnly((k) => foldOf[k] !== f);
    if (!train.genuine.length || !train.impostor.length) {
      throw new FacekitError('BAD_ARGUMENT', `too few scored pairs for ${nf} folds: the training part of fold ${f + 1} lacks ${train.genuine.length ? 'impostor' : 'genuine'} pairs`);
    }
    const { threshold } = bestAccuracyThreshold(train);
    let right = 0, n = 0, noFace = 0;
    pairs.forEach((p, k) => {
      if (foldOf[k] !== f) return;
      n++;
      if (p.distance === null) { noFace++; return; }
      if ((p.distance <= threshold) === p.same) right++;
    });
    folds.push({ fold: f + 1, threshold, accuracy: n ? right / n : NaN, pairs: n, noFace });
  }
  const used = folds.filter((f) => f.pairs > 0);
  const accuracyMean = used.reduce((s, f) => s + f.accuracy, 0) / used.length;
  const accuracyStd = Math.sqrt(used.reduce((s, f) => s + (f.accuracy - accuracyMean) ** 2, 0) / used.length);
  const all = scoredOnly(() => true);
  const roc = rocCurve(all);
  const e = eer(roc);
  return {
    meta: opts.meta ?? {},
    ...(opts.root !== undefined ? { root: opts.root } : {}),
    folds,
    accuracyMean,
    accuracyStd,
    thresholdMean: used.reduce((s, f) => s + f.threshold, 0) / used.length,
    auc: auc(roc),
    eer: e.eer,
    eerThreshold: e.threshold,
    tarAtFar: (opts.fars ?? DEFAULT_FARS).map((far) => tarAtFar(roc, far, all.impostor.length)),
    roc,
    pairs: { genuine: pairs.filter((p) => p.same).length, impostor: pairs.filter((p) => !p.same).length },
    noFace: { genuine: pairs.filter((p) => p.same && p.distance === null).length, impostor: pairs.filter((p) => !p.same && p.distance === null).length },
    scored: [...pairs],
  };
}

export interface IdentityErrors {
  identity: string;
  /** genuine pairs of this identity rejected at their fold's threshold */
  falseRejects: number;
  /** impostor pairs involving this identity accepted at their fold's threshold */
  falseAccepts: number;
  genuinePairs: number;
  impostorPairs: number;
}

/**
 * Where the 10-fold errors fall: each pair judged at its own fold's threshold, as the accuracy
 * counts it, and charged to the identities in it (the folder above each image), worst first. One
 * identity drawing most errors points at label noise or a hard subject, not at the pipeline.
 */
export function errorsByIdentity(result: VerificationResult, identityOf: (image: string) => string = (p) => p.split('/').slice(-2, -1)[0] ?? p): IdentityErrors[] {
  const foldOf = assignFolds(result.scored, result.folds.length);
  const byId = new Map<string, IdentityErrors>();
  const entry = (id: string) => {
    let e = byId.get(id);
    if (!e) byId.set(id, (e = { identity: id, falseRejects: 0, falseAccepts: 0, genuinePairs: 0, impostorPairs: 0 }));
    return e;
  };
  result.scored.forEach((p, k) => {
    if (p.distance === null) return;
    const accepted = p.distance <= result.folds[foldOf[k]].threshold;
    const ids = p.same ? [identityOf(p.img1)] : [...new Set([identityOf(p.img1), identityOf(p.img2)])];
    for (const id of ids) {
      const e = entry(id);
      if (p.same) { e.genuinePairs++; if (!accepted) e.falseRejects++; } else { e.impostorPairs++; if (accepted) e.falseAccepts++; }
    }
  });
  return [...byId.values()].sort((a, b) => b.falseRejects + b.falseAccepts - (a.falseRejects + a.falseAccepts) || a.identity.localeCompare(b.identity));
}
