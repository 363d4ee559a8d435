/**
 * detectFaces: the detection stage. Picks a detector, runs it on a copy no larger than maxSide,
 * maps boxes back to the original pixels, and completes every face with 68 landmarks and the five
 * alignment points from one landmark model for every detector, so crops are aligned alike
 * whichever detector found the face. Boxes are not clamped: a face cut by the image edge keeps
 * its full extent.
 */
import { FacekitError } from '../errors/index.ts';
import type { Box, Face } from '../face.ts';
import { limitSide } from '../image/index.ts';
import type { RgbImage } from '../image/types.ts';
import { blazeFace } from './blazeface.ts';
import { faceBoxes } from './faceboxes.ts';
import { frDetect } from './fr-detect.ts';
import { predictFaceApiLandmarks68 } from './landmarks-faceapi.ts';
import { landmarks5From68, predictLandmarks68 } from './landmarks68.ts';
import { ssdMobilenet } from './ssd.ts';
import type { Detector } from './types.ts';

export interface DetectOptions {
  /** detector id (default: DEFAULT_DETECTOR) */
  detector?: string;
  scoreThreshold?: number;
  iouThreshold?: number;
  /** faces whose box is smaller than this (pixels, shorter side, in the original image) are dropped */
  minFaceSize?: number;
  /** keep at most this many faces, highest score first */
  maxFaces?: number;
  /** the image is downscaled so its longer side is at most this before detection */
  maxSide?: number;
  /**
   * also search overlapping tiles for small faces (group photos, crowds): ~5x the detector time.
   * Default off; fr_detect and FaceBoxes honour it, BlazeFace and SSD run once.
   */
  tiles?: boolean;
  /** 68-point landmark model that supplies the five alignment points (default 'fr_landmark') */
  landmarkModel?: string;
  /** also keep the 68-point landmarks in face.landmarks (default true) */
  denseLandmarks?: boolean;
}

const detectors = new Map<string, Detector>([frDetect, blazeFace, ssdMobilenet, faceBoxes].map((d) => [d.id, d]));

export const DEFAULT_DETECTOR = 'fr_detect';
export const DEFAULT_LANDMARK_MODEL = 'fr_landmark';
export const LANDMARK_MODELS = ['fr_landmark', 'faceapi-landmark68', 'faceapi-landmark68-tiny'];

/** Make a detector available to detectFaces by its id. */
export function registerDetector(d: Detector): void {
  detectors.set(d.id, d);
}

export function listDetectors(): Detector[] {
  return [...detectors.values()];
}

export function getDetector(id: string): Detector {
  const d = detectors.get(id);
  if (!d) throw new FacekitError('BAD_ARGUMENT', `unknown detector "${id}"; known detectors: ${[...detectors.keys()].join(', ')}`);
  return d;
}

export async function detectFaces(image: RgbImage, opts: DetectOptions = {}): Promise<Face[]> {
  const det = getDetector(opts.detector ?? DEFAULT_DETECTOR);
  const scoreThreshold = opts.scoreThreshold ?? det.defaults.scoreThreshold;
  const iouThreshold = opts.iouThreshold ?? det.defaults.iouThreshold;
  const maxSide = opts.maxSide ?? det.defaults.maxSide;
  if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) throw new FacekitError('BAD_ARGUMENT', `scoreThreshold must be in 0..1, got ${scoreThreshold}`);
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new FacekitError('BAD_ARGUMENT', `iouThreshold must be in 0..1, got ${iouThreshold}`);
  if (!(maxSide >= 32)) throw new FacekitError('BAD_ARGUMENT', `maxSide must be at least 32, got ${maxSide}`);
  const landmarkModel = opts.landmarkModel ?? DEFAULT_LANDMARK_MODEL;
  if (!LANDMARK_MODELS.includes(landmarkModel)) {
    throw new FacekitError('BAD_ARGUMENT', `unknown landmark model "${landmarkModel}"; known: ${LANDMARK_MODELS.join(', ')}`);
  }

  const small = await limitSide(image, maxSide);
  const raw = await det.run(small.image, { scoreThreshold, iouThreshold, tiles: opts.tiles });
  const k = 1 / small.scale;
  let found = raw.map((r) => ({ score: r.score, box: { x: r.box.x * k, y: r.box.y * k, w: r.box.w * k, h: r.box.h * k } }));
  const minFaceSize = opts.minFaceSize ?? 0;
  found = found.filter((f) => Math.min(f.box.w, f.box.h) >= minFaceSize);
  found.sort((a, b) => b.score - a.score);
  if (opts.maxFaces !== undefined) found = found.slice(0, Math.max(0, opts.maxFaces));

  const landmarks68 = (img: RgbImage, box: Box) => (landmarkModel === 'fr_landmark' ? predictLandmarks68(img, box) : predictFaceApiLandmarks68(img, box, landmarkModel));
  const faces: Face[] = [];
  for (const f of found) {
    // landmarks come from the full-resolution image: the crop is small, so detail helps
    const dense = await landmarks68(image, f.box);
    const face: Face = { box: f.box, score: f.score, landmarks5: landmarks5From68(dense), detector: det.id };
    if (opts.denseLandmarks !== false) face.landmarks = dense;
    faces.push(face);
  }
  return faces;
}
