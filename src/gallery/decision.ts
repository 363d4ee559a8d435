/**
 * From face distances to a per-person score.
 * - 'template': the distance to the person's template, the quality-weighted mean of their unit
 *   embeddings normalised again (templates.ts); several photos average out what each has of its
 *   own. A person with one face scores that face.
 * - 'min' (the nearest-face rule): a person scores their best (nearest) face, so one good
 *   enrollment photo suffices, and one photo of someone else filed under them decides too.
 * - 'mean-top2': the mean of their two nearest faces, which resists one stray or mislabelled face
 *   at the cost of needing two good ones; a person with a single face for the model scores that face.
 * Which is the default was measured: bench/templates.ts, README "Person templates".
 */
import type { PersonTemplates } from './templates.js';
import type { IndexHit, Metric, ModelIndex } from './vector-index.js';
import { FacekitError } from '../errors/index.js';

export type PersonRule = 'min' | 'mean-top2' | 'template';

export const PERSON_RULES: readonly PersonRule[] = ['template', 'min', 'mean-top2'];

export const DEFAULT_PERSON_RULE: PersonRule = 'template';

export interface PersonScore {
  personId: string;
  distance: number;
  /** the person's nearest face */
  faceId: string;
}

export function checkPersonRule(rule: unknown): PersonRule {
  if (rule === undefined) return DEFAULT_PERSON_RULE;
  if (!PERSON_RULES.includes(rule as PersonRule)) throw new FacekitError('BAD_ARGUMENT', `unknown person rule '${String(rule)}' (${PERSON_RULES.join(', ')})`);
  return rule as PersonRule;
}

export function scorePerson(personId: string, faceDistances: { faceId: string; distance: number }[], rule: Exclude<PersonRule, 'template'>): PersonScore | null {
  if (faceDistances.length === 0) return null;
  const sorted = [...faceDistances].sort((a, b) => a.distance - b.distance);
  const best = sorted[0];
  if (rule === 'min' || sorted.length === 1) return { personId, distance: best.distance, faceId: best.faceId };
  return { personId, distance: (sorted[0].distance + sorted[1].distance) / 2, faceId: best.faceId };
}

export interface RankContext {
  index: ModelIndex;
  /** personId -> their face ids (every model) */
  personFaces: ReadonlyMap<string, ReadonlySet<string>>;
  templates: PersonTemplates;
  metric?: Metric;
}

/**
 * The people among the face hits, scored by `rule`, best first. The face index finds the
 * candidates (its topK nearest faces); the rule ranks them using every face of each candidate,
 * not only those among the hits.
 */
export function rankPeople(query: Float32Array, hits: readonly IndexHit[], rule: PersonRule, ctx: RankContext): PersonScore[] {
  const people: PersonScore[] = [];
  for (const personId of new Set(hits.map((h) => h.personId))) {
    const own = hits.filter((h) => h.personId === personId);
    if (rule === 'template') {
      const faces = ctx.personFaces.get(personId) ?? [];
      const d = ctx.templates.distance(ctx.index, personId, faces, query, ctx.metric ?? ctx.index.graphSettings.metric);
      // hits are nearest first, so own[0] is their nearest face
      if (d !== null) people.push({ personId, distance: d, faceId: own[0].faceId });
      continue;
    }
    const faces = rule === 'min' ? own : ctx.index.distancesTo(query, ctx.personFaces.get(personId) ?? [], ctx.metric);
    const s = scorePerson(personId, faces, rule);
    if (s) people.push(s);
  }
  return people.sort((a, b) => a.distance - b.distance);
}
