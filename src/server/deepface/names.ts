import { FacekitError } from '../../errors/index.js';
import type { DistanceMetric } from '../service.js';

/**
 * THE table from deepface's model and detector names to the facekit models that run in their
 * place (README "deepface-compatible routes" prints it). Every deepface name is accepted, so a
 * client switches without changing code; responses carry the deepface name the client sent
 * and, beside it, the facekit model that ran (`facekit_model`, `facekit_detector`), and
 * thresholds come from facekit's calibration of that model, never from deepface's tables.
 *
 * Recognizers: the facekit model with the same embedding length where there is one (clients
 * store and compare vectors of that length), else the nearest; facekit has 128-d
 * (faceapi-recognition, a port of dlib's ResNet) and 512-d (fr_feature, an ArcFace-trained
 * MobileFaceNet) recognizers with calibrations. No 4096-d one exists: VGG-Face (deepface's
 * default) and DeepFace get fr_feature, facekit's most accurate, so their vectors are 512-d.
 */
export const DEEPFACE_MODELS: Record<string, { facekit: string; deepfaceDim: number; why: string }> = {
  'VGG-Face': { facekit: 'fr_feature', deepfaceDim: 4096, why: 'no 4096-d model; facekit\'s most accurate recognizer' },
  Facenet: { facekit: 'faceapi-recognition', deepfaceDim: 128, why: '128-d like FaceNet' },
  Facenet512: { facekit: 'fr_feature', deepfaceDim: 512, why: '512-d like FaceNet-512' },
  OpenFace: { facekit: 'faceapi-recognition', deepfaceDim: 128, why: '128-d like OpenFace' },
  DeepFace: { facekit: 'fr_feature', deepfaceDim: 4096, why: 'no 4096-d model; facekit\'s most accurate recognizer' },
  DeepID: { facekit: 'faceapi-recognition', deepfaceDim: 160, why: 'nearest length (128-d) to DeepID\'s 160' },
  ArcFace: { facekit: 'fr_feature', deepfaceDim: 512, why: 'ArcFace loss, 112x112 ArcFace-aligned crops, 512-d' },
  Dlib: { facekit: 'faceapi-recognition', deepfaceDim: 128, why: 'the same network: face-api ports dlib\'s ResNet-29' },
  SFace: { facekit: 'faceapi-recognition', deepfaceDim: 128, why: '128-d like SFace' },
  GhostFaceNet: { facekit: 'fr_feature', deepfaceDim: 512, why: 'a light 112x112 margin-loss recognizer, 512-d' },
  Buffalo_L: { facekit: 'fr_feature', deepfaceDim: 512, why: 'insightface\'s ArcFace recognizer, 512-d' },
};

/**
 * Detectors: the facekit detector of the same design where one exists (SSD, BlazeFace, and
 * FaceBoxes, one-stage like YOLO), else fr_detect, facekit's default (a ~1 MB anchor-based CNN
 * with five landmarks, fast on CPU), which is what the light CPU detectors (OpenCV's, YuNet) and
 * the landmark cascades (RetinaFace, MTCNN) are used for.
 */
export const DEEPFACE_DETECTORS: Record<string, { facekit: string; why: string }> = {
  opencv: { facekit: 'fr_detect', why: 'deepface\'s default: a light CPU detector; so is fr_detect' },
  retinaface: { facekit: 'fr_detect', why: 'anchor-based CNN with five landmarks' },
  mtcnn: { facekit: 'fr_detect', why: 'a face box plus five landmarks' },
  fastmtcnn: { facekit: 'fr_detect', why: 'a face box plus five landmarks' },
  ssd: { facekit: 'faceapi-ssd', why: 'the same single-shot design (SSD MobileNet v1)' },
  dlib: { facekit: 'fr_detect', why: 'no HOG detector; the default' },
  mediapipe: { facekit: 'blazeface-back', why: 'MediaPipe\'s face detector is BlazeFace (full range)' },
  yolov8: { facekit: 'faceboxes', why: 'a one-stage CNN detector like YOLO (no YOLO is installed)' },
  yolov11n: { facekit: 'faceboxes', why: 'a one-stage CNN detector like YOLO (no YOLO is installed)' },
  yolov11s: { facekit: 'faceboxes', why: 'a one-stage CNN detector like YOLO (no YOLO is installed)' },
  yolov11m: { facekit: 'faceboxes', why: 'a one-stage CNN detector like YOLO (no YOLO is installed)' },
  yunet: { facekit: 'fr_detect', why: 'both ~1 MB anchor-based CPU detectors' },
  centerface: { facekit: 'fr_detect', why: 'a light CNN with five landmarks' },
  skip: { facekit: 'skip', why: 'no detection: the whole image is the face' },
};

/** deepface's defaults when a request names none */
export const DEEPFACE_DEFAULT_MODEL = 'VGG-Face';
export const DEEPFACE_DEFAULT_DETECTOR = 'opencv';

function resolve<T extends { facekit: string }>(kind: string, name: string | undefined, fallback: string, table: Record<string, T>): { deepface: string; facekit: string } {
  const deepface = name === undefined || name === '' ? fallback : name;
  const row = table[deepface];
  if (!row) throw new FacekitError('BAD_ARGUMENT', `invalid ${kind} '${deepface}'; deepface's names are: ${Object.keys(table).join(', ')}`, { supported: Object.keys(table) });
  return { deepface, facekit: row.facekit };
}

/** The deepface model name a request means (deepface's default when absent) and the facekit model run for it. */
export function modelFor(name: string | undefined): { deepface: string; facekit: string } {
  return resolve('model_name', name, DEEPFACE_DEFAULT_MODEL, DEEPFACE_MODELS);
}

export function detectorFor(name: string | undefined): { deepface: string; facekit: string } {
  return resolve('detector_backend', name, DEEPFACE_DEFAULT_DETECTOR, DEEPFACE_DETECTORS);
}

/**
 * deepface's distance metrics. `angular` (deepface: arccos(cosine similarity) / pi) is a
 * monotone function of the cosine distance, so facekit measures and calibrates cosine and
 * converts distances and thresholds both ways: the decision is the same one.
 */
export const DEEPFACE_METRICS = ['cosine', 'euclidean', 'euclidean_l2', 'angular'] as const;
export type DeepfaceMetric = (typeof DEEPFACE_METRICS)[number];

export interface MetricPlan {
  deepface: DeepfaceMetric;
  /** what facekit measures and calibrates */
  facekit: DistanceMetric;
  /** a facekit distance (or threshold) on deepface's scale */
  toDeepface(d: number): number;
  fromDeepface(d: number): number;
}

const same = (d: number) => d;

/**
 * deepface's distances as functions of the cosine distance d, for unit-length embeddings (which
 * facekit's recognizers output): euclidean = euclidean_l2 = sqrt(2d), angular = arccos(1 - d) / pi.
 */
const VIA_COSINE: Record<DeepfaceMetric, Pick<MetricPlan, 'toDeepface' | 'fromDeepface'>> = {
  cosine: { toDeepface: same, fromDeepface: same },
  euclidean: { toDeepface: (d) => Math.sqrt(2 * Math.max(0, d)), fromDeepface: (e) => (e * e) / 2 },
  euclidean_l2: { toDeepface: (d) => Math.sqrt(2 * Math.max(0, d)), fromDeepface: (e) => (e * e) / 2 },
  angular: { toDeepface: (d) => Math.acos(Math.max(-1, Math.min(1, 1 - d))) / Math.PI, fromDeepface: (a) => 1 - Math.cos(a * Math.PI) },
};

function deepfaceMetric(name: string | undefined): DeepfaceMetric {
  const deepface = name === undefined || name === '' ? 'cosine' : name;
  if (!(DEEPFACE_METRICS as readonly string[]).includes(deepface)) {
    throw new FacekitError('BAD_ARGUMENT', `invalid distance_metric '${deepface}'; supported: ${DEEPFACE_METRICS.join(', ')}`);
  }
  return deepface as DeepfaceMetric;
}

/**
 * For comparing two embeddings (verify): facekit measures and calibrates the metric itself,
 * except angular, which is measured as cosine and converted (a client's precomputed embedding
 * need not be unit length, so the euclidean metrics are measured, not derived).
 */
export function metricFor(name: string | undefined): MetricPlan {
  const deepface = deepfaceMetric(name);
  if (deepface !== 'angular') return { deepface, facekit: deepface, toDeepface: same, fromDeepface: same };
  return { deepface, facekit: 'cosine', ...VIA_COSINE.angular };
}

/** For gallery search, which facekit runs on cosine: every metric converted from it. */
export function galleryMetricFor(name: string | undefined): MetricPlan {
  const deepface = deepfaceMetric(name);
  return { deepface, facekit: 'cosine', ...VIA_COSINE[deepface] };
}
