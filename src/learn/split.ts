import { FacekitError } from '../errors/index.js';
import { createRng, shuffleInPlace } from './random.js';

export interface IdentitySplit {
  trainIdentities: number[];
  holdoutIdentities: number[];
  /** indices into the labels array */
  train: number[];
  holdout: number[];
}

/**
 * Splits by identity, not by image: no person in the held-out part was seen in training, which
 * is what verification on "people the model never saw" needs.
 */
export function splitIdentities(labels: ArrayLike<number>, holdoutFraction: number, seed: number): IdentitySplit {
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new FacekitError('BAD_ARGUMENT', `holdoutFraction must be in (0, 1), got ${holdoutFraction}`);
  const ids = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  if (ids.length < 2) throw new FacekitError('BAD_ARGUMENT', `need at least 2 identities to split, got ${ids.length}`);
  shuffleInPlace(ids, createRng(seed));
  const nHold = Math.min(ids.length - 1, Math.max(1, Math.round(ids.length * holdoutFraction)));
  const holdoutIdentities = ids.slice(0, nHold).sort((a, b) => a - b);
  const trainIdentities = ids.slice(nHold).sort((a, b) => a - b);
  const hold = new Set(holdoutIdentities);
  const train: number[] = [];
  const holdout: number[] = [];
  for (let i = 0; i < labels.length; i++) (hold.has(labels[i]) ? holdout : train).push(i);
  return { trainIdentities, holdoutIdentities, train, holdout };
}
