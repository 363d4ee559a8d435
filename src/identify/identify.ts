import { spoofCheckIfAsked, type AntiSpoofOption, type SpoofResult } from '../analyze/index.js';
import { confidence, type Calibration, type Metric } from '../compare/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import { summarizeFace, type FaceSummary } from '../face.js';
import { collectionCalibration, type Gallery, type PersonRule } from '../gallery/index.js';
import type { ImageInput } from '../image/index.js';
import { embedFaces, headFor, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';
import { decisionCalibration, DEFAULT_METRIC, minQualityFrom, qualityGate, type Undecided } from '../verify/index.js';
import { roundMeasure } from '../rounding.js';
import { galleryDistance, galleryMetric } from './metric.js';
import { constrainMatches, correctionsFor } from '../strangers/corrections.js';

export interface IdentifyImageOptions extends FaceOptions {
  metric?: Metric;
  /** overrides the calibrated threshold */
  threshold?: number;
  /** people listed as candidates per face (default 5) */
  topK?: number;
  /** per-person rule (default 'template'; 'min' = the nearest face; see the gallery's decision rule) */
  rule?: PersonRule;
  /** also judge every face live or presented; a spoof is reported per face (spoof.isReal false), never thrown */
  antiSpoof?: AntiSpoofOption;
  /**
   * a face below this quality (0-1) is not matched: `match` is null and `undecided` says why
   * (default DEFAULT_MIN_QUALITY; 0 decides on any face)
   */
  minQuality?: number;
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
  /** the best person when within the threshold, else null (unknown, or undecided) */
  match: PersonMatch | null;
  /** nearest people, best first, whatever the threshold */
  candidates: PersonMatch[];
  /** set when the face is below the minimum quality: no decision (match null), and why */
  undecided?: Undecided;
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
  /** decide with this calibration (a collection's fitted one) instead of the stored ones */
  calibration?: Calibration;
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
  const cal = opts.calibration ?? decisionCalibration(opts.model, opts.metric, opts.threshold);
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

/**
 * The faces of one photo (or frame) against the gallery: each face's candidates, then stored
 * corrections ("not X") and one person per face of the photo (src/strangers/corrections.ts).
 * The library's identify and the server's both decide here.
 */
export async function matchPhotoFaces(gallery: Gallery, vectors: readonly Float32Array[], match: MatchOptions): Promise<{ match: PersonMatch | null; candidates: PersonMatch[] }[]> {
  const corrections = vectors.length ? await correctionsFor(gallery, match.model) : [];
  return constrainMatches(
    vectors.map((vector) => ({ vector, candidates: matchEmbedding(gallery, vector, match).candidates })),
    { corrections, metric: match.metric, threshold: matchDecision(match).threshold },
  );
}

/** Who is in this photo? Every detected face is matched against the gallery. */
export async function identify(gallery: Gallery, input: ImageInput, opts: IdentifyImageOptions = {}): Promise<IdentifyResult> {
  const t0 = performance.now();
  // with a head, the gallery holds (and is searched for) embeddings under the head's id
  const head = headFor(opts);
  // a collection's model and its calibration fitted on site, when it has them
  const collection = await gallery.collectionInfo();
  const model = head?.id ?? opts.model ?? collection.model ?? DEFAULT_EMBED_MODEL;
  const metric = opts.metric ?? DEFAULT_METRIC;
  const calibration = collectionCalibration(collection, model, metric)?.calibration;
  const match = { model, metric, threshold: opts.threshold, topK: opts.topK, rule: opts.rule, calibration };
  const threshold = matchThreshold(match);
  const minQuality = minQualityFrom(opts.minQuality);
  const models = gallery.models();
  if (models.length > 0 && !models.some((m) => m.model === model)) {
    throw new FacekitError('BAD_ARGUMENT', `the gallery has no faces embedded with model ${model} (it has: ${models.map((m) => m.model).join(', ')}); enroll with ${head ? `--head ${opts.head}` : `--model ${model}`} or identify with one of those`);
  }
  const { image, faces } = await loadAndFindFaces(input, opts);
  const spoofs: (SpoofResult | undefined)[] = [];
  for (const f of faces) spoofs.push(await spoofCheckIfAsked(image, f, opts.antiSpoof));
  const embedded = await embedFaces(image, faces, head ? opts : { ...opts, model });
  const matched = await matchPhotoFaces(gallery, embedded.map((f) => f.embedding!.vector), match);
  const out: IdentifiedFace[] = embedded.map((f, i) => {
    const { match: best, candidates } = matched[i];
    const undecided = qualityGate([['the face', f.quality]], minQuality);
    return { ...summarizeFace(f), match: undecided ? null : best, candidates, ...(undecided ? { undecided } : {}), ...(spoofs[i] ? { spoof: spoofs[i] } : {}) };
  });
  return { faces: out, model, metric, threshold, image: { width: image.width, height: image.height }, ms: performance.now() - t0 };
}
