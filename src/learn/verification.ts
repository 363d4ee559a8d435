import { evaluateVerification, type ScoredPair } from '../eval/index.js';
import { FacekitError } from '../errors/index.js';
import { createRng, shuffleInPlace } from './random.js';

/**
 * Verification on held-out identities for the training bench: every genuine pair among the
 * held-out images and as many impostor pairs drawn with a seed, scored by the eval stage's 10-fold
 * protocol (threshold chosen on 9 folds, applied to the 10th) and TAR at FAR = 1e-2.
 */
export interface IndexPairs {
  i: number[];
  j: number[];
  same: boolean[];
}

export function verificationPairs(labels: ArrayLike<number>, seed: number): IndexPairs {
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

export interface HeldOutResult {
  genuine: number;
  impostor: number;
  accuracy: number;
  accuracyStd: number;
  tarAtFar1e2: number;
  /** false when there are fewer than 100 impostor pairs */
  tarResolvable: boolean;
  auc: number;
}

/** Lower distance = more alike, as in src/eval. */
export function verifyDistances(pairs: IndexPairs, distances: ArrayLike<number>): HeldOutResult {
  const scored: ScoredPair[] = pairs.i.map((a, k) => ({ img1: String(a), img2: String(pairs.j[k]), same: pairs.same[k], distance: distances[k] }));
  const r = evaluateVerification(scored, { folds: 10, fars: [1e-2] });
  const tar = r.tarAtFar[0];
  return { genuine: r.pairs.genuine, impostor: r.pairs.impostor, accuracy: r.accuracyMean, accuracyStd: r.accuracyStd, tarAtFar1e2: tar.tar, tarResolvable: tar.resolvable, auc: r.auc };
}

export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    d += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  return 1 - d / Math.sqrt(na * nb || 1);
}

/** Cosine-distance verification over held-out embeddings and their labels. */
export function heldOutVerification(embeddings: readonly Float32Array[], labels: ArrayLike<number>, seed: number): HeldOutResult {
  const p = verificationPairs(labels, seed);
  return verifyDistances(p, p.i.map((a, k) => cosineDistance(embeddings[a], embeddings[p.j[k]])));
}
