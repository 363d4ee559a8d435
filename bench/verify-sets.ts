/**
 * The evaluation sets of the verification benches and their pair sampling (seed 1), in one place,
 * so bench/verify-errors.ts charges errors on exactly the pairs bench/verify-accuracy.ts scores.
 */
import { join } from 'node:path';

export const DATA = process.env.FACEKIT_DATA ?? join(import.meta.dirname, '../../shared/data');

export interface VerifySet {
  name: string;
  /** genuine pairs per identity, and as many impostor pairs */
  pairsPerClass: number;
  /** the set ships ArcFace-aligned crops, so it is also scored without detection */
  aligned: boolean;
}

/** `quick`: a few pairs per identity, for a fast look */
export function verifySets(quick = false): VerifySet[] {
  return [
    { name: 'celebrity-aligned', pairsPerClass: quick ? 20 : 300, aligned: true },
    { name: 'orl', pairsPerClass: quick ? 5 : 20, aligned: false },
    { name: 'yale', pairsPerClass: quick ? 5 : 20, aligned: false },
    { name: 'sitcom-cast/gallery', pairsPerClass: 10, aligned: false },
  ];
}
