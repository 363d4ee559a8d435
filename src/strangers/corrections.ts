/**
 * Corrections that stick, and cannot-link, as rules on an identification.
 *
 * - "This face is not X" is stored with the face's embedding. Later, a face is not given to X when
 *   it lies nearer to a face corrected away from X than to X's own nearest face: the corrected face
 *   itself (distance 0), and the faces around it, fall to the next candidate or to unknown.
 * - Two faces of one photo (or one frame) are two people: when several faces of a photo match the
 *   same person, the nearest keeps them and the others fall to their next candidate within the
 *   threshold, or to unknown (a greedy assignment, nearest pairs first).
 */
import { distance, type Metric } from '../compare/index.js';
import type { Gallery } from '../gallery/index.js';
import { FootageStore } from './store.js';
import type { Correction } from './types.js';

interface Cached {
  version: string;
  byModel: Map<string, Correction[]>;
}

const cache = new WeakMap<object, Cached>();

/** The gallery's corrections for a model, re-read only when they changed; [] for a store without them. */
export async function correctionsFor(gallery: Gallery, model: string): Promise<Correction[]> {
  let store: FootageStore;
  try {
    store = FootageStore.of(gallery);
  } catch {
    return [];
  }
  const version = await store.correctionsVersion();
  let c = cache.get(gallery.store);
  if (!c || c.version !== version) {
    const byModel = new Map<string, Correction[]>();
    for (const r of await store.corrections()) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
    cache.set(gallery.store, (c = { version, byModel }));
  }
  return c.byModel.get(model) ?? [];
}

export interface Candidate {
  personId: string;
  distance: number;
}

/** a candidate the corrections rule out for this probe: a face corrected away from them is nearer than they are */
export function vetoed(probe: Float32Array, c: Candidate, corrections: readonly Correction[], metric: Metric): boolean {
  for (const k of corrections) {
    if (k.personId === c.personId && distance(probe, k.embedding, metric) < c.distance) return true;
  }
  return false;
}

export interface ConstrainedFace<C extends Candidate> {
  /** the person given to this face, or null */
  match: C | null;
  candidates: C[];
}

/**
 * The matches of all faces of one photo under both rules: corrections drop candidates, then each
 * person goes to at most one face, nearest pairs first.
 */
export function constrainMatches<C extends Candidate>(
  faces: readonly { vector: Float32Array; candidates: readonly C[] }[],
  opts: { corrections: readonly Correction[]; metric: Metric; threshold: number },
): ConstrainedFace<C>[] {
  const kept = faces.map((f) => f.candidates.filter((c) => !vetoed(f.vector, c, opts.corrections, opts.metric)));
  const pairs: { face: number; c: C }[] = [];
  kept.forEach((cands, face) => { for (const c of cands) if (c.distance <= opts.threshold) pairs.push({ face, c }); });
  pairs.sort((a, b) => a.c.distance - b.c.distance);
  const match: (C | null)[] = faces.map(() => null);
  const taken = new Set<string>();
  for (const p of pairs) {
    if (match[p.face] || taken.has(p.c.personId)) continue;
    match[p.face] = p.c;
    taken.add(p.c.personId);
  }
  return kept.map((candidates, i) => ({ match: match[i], candidates }));
}
