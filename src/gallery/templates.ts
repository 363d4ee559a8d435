/**
 * Person templates: one vector per person and model, the quality-weighted mean of their unit face
 * embeddings, normalised again. Averaging several photos cancels what each photo has of its own
 * (light, pose, expression), so a probe is compared with the person rather than with their
 * luckiest photo; bench/templates.ts measures it against the nearest-face rule.
 *
 * Templates are derived from the faces in the vector index, never stored: nothing in the store's
 * schema changes, and a face added or deleted by this process or another one (through the
 * gallery's change feed) invalidates its person's template, which is rebuilt when next needed.
 * Only the templates of people that come up as search candidates are built, and at most
 * `maxCached` are kept, so memory stays bounded at a million faces (see README.md: the face index
 * finds the candidates; templates only rank them).
 */
import type { Metric, ModelIndex } from './vector-index.js';
import { distance } from './vector-index.js';

/** a face's weight in its person's template: its stored quality (0..1, floored), else 1 */
export function templateWeight(quality: number | null | undefined): number {
  if (quality === null || quality === undefined || !Number.isFinite(quality)) return 1;
  // a face judged worthless still counts a little: a person's template must exist whatever their photos
  return Math.min(1, Math.max(MIN_WEIGHT, quality));
}

const MIN_WEIGHT = 0.05;

/**
 * sum_i w_i v_i / |v_i|, normalised to unit length (float64 sums). A zero sum (opposite faces of
 * equal weight) gives the first face's direction, so a template always exists.
 */
export function buildTemplate(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (vectors.length === 0) throw new RangeError('a template needs at least one face');
  const dims = vectors[0].length;
  const sum = new Float64Array(dims);
  vectors.forEach((v, k) => {
    let n = 0;
    for (let j = 0; j < dims; j++) n += v[j] * v[j];
    const scale = n > 0 ? weights[k] / Math.sqrt(n) : 0;
    for (let j = 0; j < dims; j++) sum[j] += scale * v[j];
  });
  let norm = 0;
  for (let j = 0; j < dims; j++) norm += sum[j] * sum[j];
  if (norm === 0) return buildTemplate([vectors[0]], [1]);
  const out = new Float32Array(dims);
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < dims; j++) out[j] = sum[j] * inv;
  return out;
}

export class PersonTemplates {
  /** faceId -> weight, only for faces whose weight is not 1 (most have no stored quality) */
  private readonly weights = new Map<string, number>();
  /** personId -> model -> template; insertion order is the eviction order */
  private readonly cache = new Map<string, Map<string, Float32Array>>();
  /** templates built since the last clear (tests: a change must rebuild, a search must not) */
  builds = 0;

  constructor(private readonly maxCached = 10_000) {}

  /** faces now in the index: their person's templates are stale */
  noteFaces(faces: readonly { id: string; personId: string; quality?: number | null }[]): void {
    for (const f of faces) {
      const w = templateWeight(f.quality);
      if (w !== 1) this.weights.set(f.id, w);
      this.cache.delete(f.personId);
    }
  }

  /** a face left the index */
  forgetFace(faceId: string, personId: string | undefined): void {
    this.weights.delete(faceId);
    if (personId !== undefined) this.cache.delete(personId);
  }

  forgetPerson(personId: string): void {
    this.cache.delete(personId);
  }

  clear(): void {
    this.weights.clear();
    this.cache.clear();
    this.builds = 0;
  }

  /** the person's template for the index's model, built from their faces in it; null when they have none there */
  template(index: ModelIndex, personId: string, faceIds: Iterable<string>): Float32Array | null {
    const cached = this.cache.get(personId)?.get(index.model);
    if (cached) return cached;
    const vectors: Float32Array[] = [];
    const weights: number[] = [];
    for (const id of faceIds) {
      const v = index.vectorOf(id);
      if (!v) continue;
      vectors.push(v);
      weights.push(this.weights.get(id) ?? 1);
    }
    if (vectors.length === 0) return null;
    const t = buildTemplate(vectors, weights);
    this.builds++;
    let perModel = this.cache.get(personId);
    if (!perModel) {
      if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(personId, (perModel = new Map()));
    }
    perModel.set(index.model, t);
    return t;
  }

  /** distance from the query to the person's template, or null when they have no face for the model */
  distance(index: ModelIndex, personId: string, faceIds: Iterable<string>, query: Float32Array, metric: Metric): number | null {
    const t = this.template(index, personId, faceIds);
    return t ? distance(metric, query, t) : null;
  }
}
