import { spoofCheckIfAsked, type AntiSpoofOption, type SpoofResult } from '../analyze/index.js';
import { confidence, type Calibration, type Metric } from '../compare/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import { summarizeFace, type FaceSummary } from '../face.js';
import type { Gallery, PersonRule } from '../gallery/index.js';
import type { ImageInput } from '../image/index.js';
import { embedFaces, headFor, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';
import { decisionCalibration, DEFAULT_METRIC } from '../verify/index.js';
import { roundMeasure } from '../rounding.js';
import { galleryDistance, galleryMetric } from './metric.js';
import { constrainMatches, correctionsFor } from '../strangers/corrections.js';

export interface IdentifyImageOptions extends FaceOptions {
  metric?: Metric;
  /** overrides the calibrated threshold */
  threshold?: number;
  /** people listed as candidates per face (default 5) */
  topK?: number;
  /** per-person rule (default 'min', see the gallery's decision rule) */
  rule?: PersonRule;
  /** also judge every face live or presented; a spoof is reported per face (spoof.isReal false), never thrown */
  antiSpoof?: AntiSpoofOption;
}

export interface PersonMatch {
  personId: string;
  name: string;
  /** the person's nearest enrolled face */
  faceId: string;
  distance: number;
  /** calibrated P(same person) at this distance */
  confidence: number;
}

/** One face of an identify result: the same record in the library, the CLI's --json, REST and the page. */
export interface IdentifiedFace extends FaceSummary {
  /** the best person when within the threshold, else null (unknown) */
  match: PersonMatch | null;
  /** nearest people, best first, whatever the threshold */
  candidates: PersonMatch[];
  /** set when anti-spoofing ran */
  spoof?: SpoofResult;
}

export interface IdentifyResult {
  faces: IdentifiedFace[];
  model: string;
  metric: Metric;
  threshold: number;
  image: { width: number; height: number };
  ms: number;
}

export interface MatchOptions {
  model: string;
  metric: Metric;
  /** overrides the calibrated threshold */
  threshold?: number;
  /** people listed as candidates (default 5) */
  topK?: number;
  rule?: PersonRule;
}

export interface EmbeddingMatch {
  /** the best person when within the threshold, else null (unknown) */
  match: PersonMatch | null;
  /** nearest people, best first, whatever the threshold */
  candidates: PersonMatch[];
  threshold: number;
}

/**
 * The decision's settings, checked: fails on bad options before any model runs. `reported` is the
 * threshold as results show it: an explicit one as given, the calibrated one rounded.
 */
function matchDecision(opts: MatchOptions): { topK: number; cal: Calibration; threshold: number; reported: number } {
  const topK = opts.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1) throw new FacekitError('BAD_ARGUMENT', `topK must be a positive integer, got ${topK}`);
  const cal = decisionCalibration(opts.model, opts.metric, opts.threshold);
  return { topK, cal, threshold: opts.threshold ?? cal.threshold, reported: opts.threshold ?? roundMeasure(cal.threshold) };
}

/** The threshold an identify result reports for these options; checks them first (before any model runs). */
export function matchThreshold(opts: MatchOptions): number {
  return matchDecision(opts).reported;
}

/**
 * The 1:N decision on one embedding: rank people through the gallery index, convert to the
 * compare stage's distance and confidence, accept the best when within the threshold.
 */
export function matchEmbedding(gallery: Gallery, vector: Float32Array, opts: MatchOptions): EmbeddingMatch {
  const { topK, cal, threshold, reported } = matchDecision(opts);
  // enough faces to rank topK people even when each has several enrollment photos
  const { people } = gallery.search(opts.model, vector, { topK: Math.max(20, 4 * topK), metric: galleryMetric(opts.metric), rule: opts.rule });
  const ranked = people.slice(0, topK).map((p) => ({ person: p, distance: galleryDistance(p.distance, opts.metric) }));
  // decided on the exact distance, reported rounded
  const candidates: PersonMatch[] = ranked.map(({ person: p, distance: d }) => (
    { personId: p.personId, name: p.name, faceId: p.faceId, distance: roundMeasure(d), confidence: roundMeasure(confidence(d, cal)) }
  ));
  const known = ranked.length > 0 && ranked[0].distance <= threshold;
  return { match: known ? candidates[0] : null, candidates, threshold: reported };
}

/** Who is in this photo? Every detected face is matched against the gallery. */
export async function identify(gallery: Gallery, input: ImageInput, opts: IdentifyImageOptions = {}): Promise<IdentifyResult> {
  const t0 = performance.now();
  // with a head, the gallery holds (and is searched for) embeddings under the head's id
  const head = headFor(opts);
  const model = head?.id ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const metric = opts.metric ?? DEFAULT_METRIC;
  const match = { model, metric, threshold: opts.threshold, topK: opts.topK, rule: opts.rule };
  const threshold = matchThreshold(match);
  const models = gallery.models();
  if (models.length > 0 && !models.some((m) => m.model === model)) {
    throw new FacekitError('BAD_ARGUMENT', `the gallery has no faces embedded with model ${model} (it has: ${models.map((m) => m.model).join(', ')}); enroll with ${head ? `--head ${opts.head}` : `--model ${model}`} or identify with one of those`);
  }
  const { image, faces } = await loadAndFindFaces(input, opts);
  const spoofs: (SpoofResult | undefined)[] = [];
  for (const f of faces) spoofs.push(await spoofCheckIfAsked(image, f, opts.antiSpoof));
  const embedded = await embedFaces(image, faces, head ? opts : { ...opts, model });
  // stored corrections ("not X") and one person per face of the photo (src/strangers/corrections.ts)
  const corrections = embedded.length ? await correctionsFor(gallery, model) : [];
  const matched = constrainMatches(
    embedded.map((f) => ({ vector: f.embedding!.vector, candidates: matchEmbedding(gallery, f.embedding!.vector, match).candidates })),
    { corrections, metric, threshold: matchDecision(match).threshold },
  );
  const out: IdentifiedFace[] = embedded.map((f, i) => {
    const { match: best, candidates } = matched[i];
    return { ...summarizeFace(f), match: best, candidates, ...(spoofs[i] ? { spoof: spoofs[i] } : {}) };
  });
  return { faces: out, model, metric, threshold, image: { width: image.width, height: image.height }, ms: performance.now() - t0 };
}
