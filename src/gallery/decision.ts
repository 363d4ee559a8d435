/**
 * From face distances to a per-person score. 'min': a person scores their best (nearest) face, so
 * one good enrollment photo suffices. 'mean-top2': the mean of their two nearest faces, which
 * resists one stray or mislabelled face at the cost of needing two good ones; a person with a
 * single face for the model scores that face.
 */
export type PersonRule = 'min' | 'mean-top2';

export interface PersonScore {
  personId: string;
  distance: number;
  /** the person's nearest face */
  faceId: string;
}

export function scorePerson(personId: string, faceDistances: { faceId: string; distance: number }[], rule: PersonRule): PersonScore | null {
  if (faceDistances.length === 0) return null;
  const sorted = [...faceDistances].sort((a, b) => a.distance - b.distance);
  const best = sorted[0];
  if (rule === 'min' || sorted.length === 1) return { personId, distance: best.distance, faceId: best.faceId };
  return { personId, distance: (sorted[0].distance + sorted[1].distance) / 2, faceId: best.faceId };
}
