import { FacekitError } from '../errors/index.ts';
import { createRng, shuffleInPlace } from './random.ts';

/**
 * Verification on held-out identities, the LFW way: every genuine pair, as many impostor pairs
 * drawn with a seed, 10 folds; the threshold is chosen on 9 folds and scored on the 10th. Also
 * TAR at FAR = 1e-2 over all pairs. Kept small and local to the training bench.
 */
export interface VerificationPairs {
  i: number[];
  j: number[];
  same: boolean[];
}

export function verificationPairs(labels: ArrayLike<number>, seed: number): VerificationPairs {
  const gi: number[] = [];
  const gj: number[] = [];
  const imp: [number, number][] = [];
  for (let a = 0; a < labels.length; a++) {
    for (let b = a + 1; b < labels.length; b++) {
      if (labels[a] === labels[b]) {
        gi.push(a);
        gj.push(b);
      } else imp.push([a, b]);
    }
  }
  if (gi.length === 0 || imp.length === 0) throw new FacekitError('BAD_ARGUMENT', 'verification needs at least two identities, one with two images');
  shuffleInPlace(imp, createRng(seed));
  const chosen = imp.slice(0, Math.min(imp.length, gi.length));
  return {
    i: [...gi, ...chosen.map((p) => p[0])],
    j: [...gj, ...chosen.map((p) => p[1])],
    same: [...gi.map(() => true), ...chosen.map(() => false)],
  };
}

export interface VerificationResult {
  pairs: number;
  genuine: number;
  impostor: number;
  /** mean and std of the 10 held-out fold accuracies */
  accuracy: number;
  accuracyStd: number;
  /** true accept rate at the threshold that lets at most 1% of impostors through */
  tarAtFar1e2: number;
}

function bestThreshold(scores: number[], same: boolean[]): number {
  const order = scores.map((_, k) => k).sort((a, b) => scores[a] - scores[b]);
  // threshold below everything: all accepted
  let correct = same.filter(Boolean).length;
  let best = correct;
  let thr = scores[order[0]] - 1e-6;
  for (let r = 0; r < order.length; r++) {
    // moving the threshold above order[r] rejects it
    correct += same[order[r]] ? -1 : 1;
    if (r + 1 < order.length && scores[order[r + 1]] === scores[order[r]]) continue;
    if (correct > best) {
      best = correct;
      thr = r + 1 < order.length ? (scores[order[r]] + scores[order[r + 1]]) / 2 : scores[order[r]] + 1e-6;
    }
  }
  return thr;
}

/** higher score = more likely the same identity */
export function verificationMetrics(scores: ArrayLike<number>, same: readonly boolean[], seed: number, folds = 10): VerificationResult {
  const n = same.length;
  const idx = shuffleInPlace(Array.from({ length: n }, (_, k) => k), createRng(seed));
  const accs: number[] = [];
  for (let f = 0; f < folds; f++) {
    const test = idx.filter((_, k) => k % folds === f);
    const train = idx.filter((_, k) => k % folds !== f);
    const thr = bestThreshold(train.map((k) => scores[k]), train.map((k) => same[k]));
    accs.push(test.filter((k) => (scores[k] > thr) === same[k]).length / test.length);
  }
  const accuracy = accs.reduce((a, b) => a + b, 0) / folds;
  const accuracyStd = Math.sqrt(accs.reduce((a, b) => a + (b - accuracy) ** 2, 0) / folds);
  const imp = Array.from(scores).filter((_, k) => !same[k]).sort((a, b) => b - a);
  const gen = Array.from(scores).filter((_, k) => same[k]);
  const allowed = Math.floor(imp.length * 1e-2);
  // accept scores strictly above the (allowed+1)-th highest impostor score
  const thr = imp[allowed] ?? -Infinity;
  const tarAtFar1e2 = gen.filter((s) => s > thr).length / gen.length;
  return { pairs: n, genuine: gen.length, impostor: imp.length, accuracy, accuracyStd, tarAtFar1e2 };
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    d += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  return d / Math.sqrt(na * nb || 1);
}

/** Cosine-score verification over the held-out embeddings and their labels. */
export function heldOutVerification(embeddings: readonly Float32Array[], labels: ArrayLike<number>, seed: number): VerificationResult {
  const p = verificationPairs(labels, seed);
  const scores = p.i.map((a, k) => cosineSimilarity(embeddings[a], embeddings[p.j[k]]));
  return verificationMetrics(scores, p.same, seed);
}
