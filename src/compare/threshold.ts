/**
 * Decision rule used throughout facekit: a pair is "same person" when distance <= threshold.
 * FAR (false accept rate) is the share of impostor pairs accepted by that rule.
 */
import { FacekitError } from '../errors/index.js';

/** The largest float-ish value below v that still rejects v under `d <= t`. */
export function justBelow(v: number): number {
  return v - Math.max(Math.abs(v), 1) * 1e-9;
}

function checkFinite(name: string, xs: readonly number[]): void {
  for (const x of xs) if (!Number.isFinite(x)) throw new FacekitError('BAD_ARGUMENT', `${name} contains a non-finite distance (${x})`);
}

export interface FarThreshold {
  threshold: number;
  /** FAR actually reached on the given impostors (<= target) */
  far: number;
  /** impostors accepted at the threshold */
  falseAccepts: number;
}

/**
 * The most permissive threshold whose FAR on `impostor` does not exceed `targetFar`. It sits halfway
 * between the last impostor it may accept and the first it must reject, so it does not hug the data.
 * With fewer than 1/targetFar impostors the only safe answer is to accept none of them.
 */
export function thresholdAtFar(impostor: readonly number[], targetFar: number): FarThreshold {
  if (!(targetFar >= 0 && targetFar <= 1)) throw new FacekitError('BAD_ARGUMENT', `target FAR must be in 0..1 (got ${targetFar})`);
  if (impostor.length === 0) throw new FacekitError('BAD_ARGUMENT', 'no impostor distances: FAR is undefined');
  checkFinite('impostor distances', impostor);
  const s = [...impostor].sort((a, b) => a - b);
  const n = s.length;
  const allowed = Math.floor(targetFar * n + 1e-9);
  if (allowed >= n) return { threshold: s[n - 1], far: 1, falseAccepts: n };
  const first = s[allowed]; // the first impostor that must be rejected
  // everything tied with it must be rejected too
  let accepted = allowed;
  while (accepted > 0 && s[accepted - 1] === first) accepted--;
  const threshold = accepted > 0 ? (s[accepted - 1] + first) / 2 : justBelow(first);
  return { threshold, far: accepted / n, falseAccepts: accepted };
}
