/**
 * How a calibration's threshold does on pairs it was not fitted on: the false accept and false
 * reject rates it reaches there. `facekit eval verify --db G --collection C` shows the shipped
 * calibration and the one fitted on site side by side with this; bench/site-calibration.ts
 * measures the round trip with it.
 */
import type { Calibration } from '../compare/index.js';
import type { ScoredPair } from './verification.js';

export interface CalibrationOnPairs {
  label: string;
  threshold: number;
  /** FAR the threshold was chosen for */
  targetFar: number;
  /** reached on these pairs */
  far: number;
  frr: number;
  falseAccepts: number;
  falseRejects: number;
  genuine: number;
  impostor: number;
}

/** Decides every scored pair (no-face pairs left out) at the calibration's threshold (distance <= threshold: same). */
export function calibrationOnPairs(label: string, cal: Pick<Calibration, 'threshold' | 'targetFar'>, pairs: readonly Pick<ScoredPair, 'same' | 'distance'>[]): CalibrationOnPairs {
  let genuine = 0, impostor = 0, falseAccepts = 0, falseRejects = 0;
  for (const p of pairs) {
    if (p.distance === null) continue;
    const accepted = p.distance <= cal.threshold;
    if (p.same) {
      genuine++;
      if (!accepted) falseRejects++;
    } else {
      impostor++;
      if (accepted) falseAccepts++;
    }
  }
  return {
    label, threshold: cal.threshold, targetFar: cal.targetFar,
    far: impostor ? falseAccepts / impostor : NaN, frr: genuine ? falseRejects / genuine : NaN,
    falseAccepts, falseRejects, genuine, impostor,
  };
}
