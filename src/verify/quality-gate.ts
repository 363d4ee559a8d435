/**
 * The minimum quality of a decision. A face whose quality (src/analyze/quality.ts) is below the
 * minimum gets no yes/no: verify answers `verified: null` and identify `match: null`, each with
 * `undecided: { reason }`, so a caller never mistakes an unreadable face for a "different person"
 * or "unknown" answer. One rule for the library, the CLI, the server and the page.
 */
import { DEFAULT_MIN_QUALITY } from '../analyze/quality.js';
import { FacekitError } from '../errors/index.js';
import type { QualitySummary } from '../face.js';

export { DEFAULT_MIN_QUALITY };

/** Why no decision was made. */
export interface Undecided {
  /** e.g. "the first face's quality 0.12 is below the minimum 0.25 (blurred, too dark)" */
  reason: string;
}

/** The minimum quality in force: the caller's (0 turns the gate off), else DEFAULT_MIN_QUALITY; checked. */
export function minQualityFrom(minQuality: number | undefined): number {
  if (minQuality === undefined) return DEFAULT_MIN_QUALITY;
  if (!(typeof minQuality === 'number' && minQuality >= 0 && minQuality <= 1)) {
    throw new FacekitError('BAD_ARGUMENT', `minQuality must be a number in [0, 1], got ${String(minQuality)}`);
  }
  return minQuality;
}

/**
 * Undecided when any of the named faces is below `min` (a face without a quality record, e.g. a
 * precomputed embedding, is not judged). `faces`: [label, quality] such as ['the first face', q].
 */
export function qualityGate(faces: readonly [string, QualitySummary | undefined][], min: number): Undecided | undefined {
  const low = faces.filter(([, q]) => q !== undefined && q.score < min);
  if (low.length === 0) return undefined;
  const said = low.map(([label, q]) => `${label}'s quality ${q!.score.toFixed(2)} is below the minimum ${min}${q!.reasons.length ? ` (${q!.reasons.join(', ')})` : ''}`);
  return { reason: `${said.join('; ')}: no decision` };
}
