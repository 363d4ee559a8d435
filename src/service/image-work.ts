/**
 * Everything a request does to an image, from bytes to faces and embeddings, as one call that
 * runs inside an inference worker. ONNX Runtime's Node binding runs a session synchronously on
 * the calling thread (and decoding converts pixels in JavaScript), so doing this on the server's
 * thread would stall every other request for hundreds of milliseconds.
 */
import { createHash } from 'node:crypto';
import { analyzeFace, checkEnrollFaceSize, checkEnrollQuality, checkSpoof, defaultModel, faceLandmarks, type Action, type LandmarkKind } from '../analyze/index.js';
import { DEFAULT_DETECTOR } from '../detect/index.js';
import { FacekitError } from '../errors/index.js';
import { summarizeFace, type Face, type FaceSummary } from '../face.js';
import { loadImage } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { embedFaces, findFaces, type FaceOptions } from '../pipeline/index.js';
import type { AnalyzeAction, FaceAttributes } from '../server/service.js';

/** The server's detector id 'skip' means no detection: the whole image is the face. */
export const SKIP_DETECTION = 'skip';

/** An enrollment photo may show bystanders if its main face is clearly the largest. */
export const DOMINANT_AREA_RATIO = 2;

export interface ImageWork {
  maxPixels?: number;
  detector?: string;
  maxFaces?: number;
  minScore?: number;
  /** false: the whole image is the face when none is found */
  enforceDetection?: boolean;
  /** grow each detected box by this percent of its size (deepface's expand_percentage) */
  expandPercentage?: number;
  /**
   * which faces to embed: none, all, the largest, or the one enrollment face (else NO_FACE /
   * MANY_FACES); `also`: more models to embed the same faces with (a fusion's other members), so
   * one detection serves them all
   */
  embed?: { model: string; align?: boolean; pick: 'all' | 'largest' | 'enroll'; also?: string[] };
  /** with pick 'enroll': refuse a face below the enrollment quality bar (LOW_QUALITY with its reasons) */
  qualityReview?: boolean;
  /** how messages name this image ('the first image', 'image 2 of 3') */
  label?: string;
  /** also hash the bytes (enrollment keeps the photo's digest) */
  sha256?: boolean;
  /** run the anti-spoofing model on the faces used and fail with SPOOF when one looks presented */
  antiSpoofing?: boolean;
  /** attributes to estimate for every face */
  analyze?: AnalyzeAction[];
  /** also return these dense landmarks of the largest face (liveness needs the eyelids) */
  landmarks?: LandmarkKind;
}

export interface ImageWorkResult {
  width: number;
  height: number;
  faces: FaceSummary[];
  /** indexes into faces of the embedded ones, in the order of `embeddings` */
  embedded: number[];
  embeddings: Float32Array[];
  /** per model in `embed.also`, the embedded faces' vectors in the order of `embeddings` */
  alsoEmbeddings?: Float32Array[][];
  sha256?: string;
  /** per face, when `analyze` was asked */
  attributes?: FaceAttributes[];
  /** the asked landmarks of the largest face; null when there is no face */
  landmarks?: [number, number][] | null;
  /** model runs, for the metrics */
  timings: { model: string; seconds: number }[];
}

const area = (f: Face): number => f.box.w * f.box.h;

function largestIndex(faces: Face[]): number {
  let best = 0;
  faces.forEach((f, i) => {
    if (area(f) > area(faces[best])) best = i;
  });
  return best;
}

function pickFaces(faces: Face[], work: ImageWork): number[] {
  const pick = work.embed?.pick;
  if (!pick) return [];
  if (pick === 'all') return faces.map((_, i) => i);
  const label = work.label ?? 'the image';
  if (faces.length === 0) throw new FacekitError('NO_FACE', `no face found in ${label}`);
  const main = largestIndex(faces);
  if (pick === 'enroll' && faces.some((f, i) => i !== main && area(f) * DOMINANT_AREA_RATIO > area(faces[main]))) {
    throw new FacekitError('MANY_FACES', `${label} shows ${faces.length} faces of similar size; enroll photos of one person only`, { faces: faces.length });
  }
  if (pick === 'enroll') checkEnrollFaceSize(faces[main], label);
  return [main];
}

/**
 * The face with its box grown by `percent` of its width and height, centred and kept inside the
 * image, as deepface's expand_percentage does. The box is what is reported and what an unaligned
 * crop takes; an aligned crop follows the landmarks, which do not move.
 */
function expanded(f: Face, percent: number, size: { width: number; height: number }): Face {
  const dw = (f.box.w * percent) / 100;
  const dh = (f.box.h * percent) / 100;
  const x = Math.max(0, f.box.x - dw / 2);
  const y = Math.max(0, f.box.y - dh / 2);
  return { ...f, box: { ...f.box, x, y, w: Math.min(size.width - x, f.box.w + dw), h: Math.min(size.height - y, f.box.h + dh) } };
}

export async function doImageWork(image: Uint8Array, work: ImageWork): Promise<ImageWorkResult> {
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const timings: ImageWorkResult['timings'] = [];
  const rgb: RgbImage = await loadImage(bytes, { maxPixels: work.maxPixels });
  const detector = work.detector ?? DEFAULT_DETECTOR;
  let faces: Face[];
  if (detector === SKIP_DETECTION) {
    faces = await findFaces(rgb, { detect: false });
  } else {
    const o: FaceOptions = { detector, maxFaces: work.maxFaces, ...(work.minScore === undefined ? {} : { scoreThreshold: work.minScore }) };
    const t0 = performance.now();
    faces = await findFaces(rgb, o);
    timings.push({ model: detector, seconds: (performance.now() - t0) / 1000 });
    if (work.expandPercentage) faces = faces.map((f) => (f.detector === 'none' ? f : expanded(f, work.expandPercentage!, rgb)));
    if (faces.length === 0 && work.enforceDetection === false) faces = await findFaces(rgb, { detect: false });
  }
  const embedded = pickFaces(faces, work);
  if (work.antiSpoofing) {
    const checked = work.embed ? embedded : faces.map((_, i) => i);
    for (const i of checked) {
      if (faces[i].detector === 'none') continue; // no detected face to judge
      const t0 = performance.now();
      const r = await checkSpoof(rgb, faces[i]);
      timings.push({ model: r.model, seconds: (performance.now() - t0) / 1000 });
      if (!r.isReal) {
        throw new FacekitError('SPOOF', `the face in ${work.label ?? 'the image'} looks presented (a photo or a screen), not live: live score ${r.score.toFixed(2)}`, { liveScore: r.score, model: r.model });
      }
    }
  }
  const attributes = work.analyze ? await analyzeAll(rgb, faces, work.analyze, timings) : undefined;
  let landmarks: [number, number][] | null | undefined;
  if (work.landmarks) {
    landmarks = null;
    if (faces.length > 0 && faces[largestIndex(faces)].detector !== 'none') {
      const t0 = performance.now();
      landmarks = (await faceLandmarks(rgb, faces[largestIndex(faces)], work.landmarks)).map(([x, y]) => [x, y] as [number, number]);
      timings.push({ model: `landmarks-${work.landmarks}`, seconds: (performance.now() - t0) / 1000 });
    }
  }
  const embedWith = async (model: string, primary = false): Promise<Float32Array[]> => {
    if (!work.embed || embedded.length === 0) return [];
    const t0 = performance.now();
    const out = await embedFaces(rgb, embedded.map((i) => faces[i]), { model, align: work.embed.align });
    timings.push({ model, seconds: (performance.now() - t0) / 1000 });
    // the faces report (and the quality gate reads) the quality refined by the main recognizer's output
    if (primary) embedded.forEach((fi, k) => { faces[fi] = { ...faces[fi], quality: out[k].quality }; });
    return out.map((f) => f.embedding!.vector);
  };
  const embeddings = work.embed ? await embedWith(work.embed.model, true) : [];
  // the enrollment review reads the refined quality, as the library's enroll does (nothing is stored yet)
  if (work.embed?.pick === 'enroll' && work.qualityReview) checkEnrollQuality(faces[embedded[0]], work.label ?? 'the image');
  const alsoEmbeddings: Float32Array[][] = [];
  for (const model of work.embed?.also ?? []) alsoEmbeddings.push(await embedWith(model));
  return {
    width: rgb.width,
    height: rgb.height,
    faces: faces.map(summarizeFace),
    embedded,
    embeddings,
    ...(alsoEmbeddings.length ? { alsoEmbeddings } : {}),
    ...(work.sha256 ? { sha256: createHash('sha256').update(bytes).digest('hex') } : {}),
    ...(attributes ? { attributes } : {}),
    ...(landmarks === undefined ? {} : { landmarks }),
    timings,
  };
}

/** Attributes of every face, one run per attribute model (a model may give several actions). */
async function analyzeAll(image: RgbImage, faces: Face[], actions: AnalyzeAction[], timings: ImageWorkResult['timings']): Promise<FaceAttributes[]> {
  const byModel = new Map<string, Action[]>();
  for (const a of actions) {
    const id = defaultModel(a);
    byModel.set(id, [...(byModel.get(id) ?? []), a]);
  }
  const out: FaceAttributes[] = [];
  for (const face of faces) {
    const attrs: FaceAttributes = {};
    for (const [model, wanted] of byModel) {
      const t0 = performance.now();
      const r = await analyzeFace(image, face, { actions: wanted });
      timings.push({ model, seconds: (performance.now() - t0) / 1000 });
      if (r.age && typeof r.age.value === 'number') attrs.age = r.age.value;
      const g = r.gender?.probabilities;
      if (g) attrs.gender = { female: g.female ?? 0, male: g.male ?? 0 };
      if (r.emotion?.probabilities) attrs.emotion = { ...r.emotion.probabilities };
      if (r.race?.probabilities) attrs.race = { ...r.race.probabilities };
    }
    out.push(attrs);
  }
  return out;
}
