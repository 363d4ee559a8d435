import { confidence, fallbackCalibration, getCalibration, type Calibration, type Metric } from '../compare/index.ts';
import { DEFAULT_EMBED_MODEL } from '../embed/index.ts';
import { FacekitError } from '../errors/index.ts';
import type { Box } from '../face.ts';
import type { Gallery, PersonRule } from '../gallery/index.ts';
import type { ImageInput } from '../image/index.ts';
import { embedFaces, headCalibration, headFor, loadAndFindFaces, type FaceOptions } from '../pipeline/index.ts';
import { calibrationFor, DEFAULT_METRIC } from '../verify/index.ts';
import { galleryDistance, galleryMetric } from './metric.ts';

export interface IdentifyImageOptions extends FaceOptions {
  metric?: Metric;
  /** overrides the calibrated threshold */
  threshold?: number;
  /** people listed as candidates per face (default 5) */
  topK?: number;
  /** per-person rule (default 'min', see the gallery's decision rule) */
  rule?: PersonRule;
}

export interface PersonMatch {
  personId: string;
  name: string;
  distance: number;
  /** calibrated P(same person) at this distance */
  confidence: number;
}

export interface IdentifiedFace {
  box: Box;
  score: number;
  landmarks: [number, number][];
  /** the best person when within the threshold, else null (unknown) */
  match: PersonMatch | null;
  /** nearest people, best first, whatever the threshold */
  candidates: PersonMatch[];
}

export interface IdentifyResult {
  faces: IdentifiedFace[];
  model: string;
  metric: Metric;
  threshold: number;
  image: { width: number; height: number };
  ms: number;
}

function calibrationOf(model: string, metric: Metric, threshold: number | undefined): Calibration {
  if (threshold === undefined) return calibrationFor(model, metric);
  try {
    return getCalibration(model, metric);
  } catch {
    return fallbackCalibration(model, metric, threshold);
  }
}

/** Who is in this photo? Every detected face is matched against the gallery. */
export async function identify(gallery: Gallery, input: ImageInput, opts: IdentifyImageOptions = {}): Promise<IdentifyResult> {
  const t0 = performance.now();
  // with a head, the gallery holds (and is searched for) embeddings under the head's id
  const head = headFor(opts);
  const model = head?.id ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const metric = opts.metric ?? DEFAULT_METRIC;
  const topK = opts.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1) throw new FacekitError('BAD_ARGUMENT', `topK must be a positive integer, got ${topK}`);
  const cal = head
    ? (opts.threshold === undefined ? headCalibration(head, metric) : head.calibrations[metric] ?? fallbackCalibration(head.id, metric, opts.threshold))
    : calibrationOf(model, metric, opts.threshold);
  const threshold = opts.threshold ?? cal.threshold;
  const models = gallery.models();
  if (models.length > 0 && !models.some((m) => m.model === model)) {
    throw new FacekitError('BAD_ARGUMENT', `the gallery has no faces embedded with model ${model} (it has: ${models.map((m) => m.model).join(', ')}); enroll with ${head ? `--head ${opts.head}` : `--model ${model}`} or identify with one of those`);
  }
  const { image, faces } = await loadAndFindFaces(input, opts);
  const embedded = await embedFaces(image, faces, head ? opts : { ...opts, model });
  const out: IdentifiedFace[] = embedded.map((f) => {
    // enough faces to rank topK people even when each has several enrollment photos
    const { people } = gallery.search(model, f.embedding!.vector, { topK: Math.max(20, 4 * topK), metric: galleryMetric(metric), rule: opts.rule });
    const candidates = people.slice(0, topK).map((p) => {
      const d = galleryDistance(p.distance, metric);
      return { personId: p.personId, name: p.name, distance: d, confidence: confidence(d, cal) };
    });
    const best = candidates[0];
    return {
      box: { x: f.box.x, y: f.box.y, w: f.box.w, h: f.box.h },
      score: f.score,
      landmarks: f.landmarks5.map(([x, y]) => [x, y] as [number, number]),
      match: best && best.distance <= threshold ? best : null,
      candidates,
    };
  });
  return { faces: out, model, metric, threshold, image: { width: image.width, height: image.height }, ms: performance.now() - t0 };
}
