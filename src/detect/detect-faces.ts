/**
 * detectFaces: the detection stage. Picks a detector, runs it on a copy no larger than maxSide,
 * maps boxes back to the original pixels, and completes every face with 68 landmarks and the five
 * alignment points from one landmark model for every detector, so crops are aligned alike
 * whichever detector found the face. Boxes are not clamped: a face cut by the image edge keeps
 * its full extent.
 */
import { FacekitError } from '../errors/index.js';
import type { Box, Face, Landmarks5, Point } from '../face.js';
import { limitSide } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { blazeFace } from './blazeface.js';
import { faceBoxes } from './faceboxes.js';
import { frDetect } from './fr-detect.js';
import { predictFaceApiLandmarks68 } from './landmarks-faceapi.js';
import { landmarks5From68, predictLandmarks68 } from './landmarks68.js';
import { ssdMobilenet } from './ssd.js';
import { averageLandmarks5, landmarks5FromMesh, refineLandmarks68 } from './landmarks5.js';
import { mtcnn, onetLandmarks } from './mtcnn.js';
import type { Detector } from './types.js';

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
  /**
   * where the five alignment points come from (default DEFAULT_LANDMARKS): one source or several
   * joined by '+', averaged point by point. 'fr_landmark' = the 68-point model named by
   * landmarkModel; 'refined' = that model again on a crop aligned from its first points; 'onet' =
   * MTCNN's O-Net on the detector box; 'mesh' = the face mesh's iris centres, nose tip and mouth
   * corners; 'detector' = the detector's own five points (MTCNN), skipped for detectors without.
   * A source more than LANDMARK_AGREEMENT eye distances from the first one listed is left out.
   * Measured by bench/landmarks.ts and bench/verify-accuracy.ts --landmarks.
   */
  landmarks?: string;
  /** also keep the 68-point landmarks in face.landmarks (default true) */
  denseLandmarks?: boolean;
  /**
   * When a face fills more than half the image (a tight face crop, as datasets and galleries ship
   * them), or the image is small (up to SMALL_IMAGE_SIDE), detect again on the image placed on a grey border of half its longer side, so the
   * detector and landmark model see the context they were trained with (default true). On
   * celebrity-aligned crops this halves the five-point alignment error (bench/align-study.ts).
   */
  context?: boolean;
}

/** A face box this large a share of the image side marks the image as a tight face crop. */
export const TIGHT_CROP_SHARE = 0.5;
/** Images up to this side are also searched on the canvas (kept when it finds a face filling the image). */
export const SMALL_IMAGE_SIDE = 400;

function onCanvas(image: RgbImage, border: number, fill: number): RgbImage {
  const W = image.width + 2 * border, H = image.height + 2 * border;
  const data = new Uint8Array(W * H * 3).fill(fill);
  for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + border) * W + border) * 3);
  return { data, width: W, height: H };
}

function shifted(f: Face, d: number): Face {
  const mv = ([x, y]: Point): Point => [x + d, y + d];
  return { ...f, box: { ...f.box, x: f.box.x + d, y: f.box.y + d }, landmarks5: f.landmarks5.map(mv) as Landmarks5, ...(f.landmarks ? { landmarks: f.landmarks.map(mv) } : {}) };
}

const detectors = new Map<string, Detector>([frDetect, blazeFace, ssdMobilenet, faceBoxes, mtcnn].map((d) => [d.id, d]));

export const DEFAULT_DETECTOR = 'fr_detect';
export const DEFAULT_LANDMARK_MODEL = 'fr_landmark';
export const LANDMARK_MODELS = ['fr_landmark', 'faceapi-landmark68', 'faceapi-landmark68-tiny'];
export const LANDMARK_SOURCES = ['fr_landmark', 'refined', 'onet', 'mesh', 'detector'] as const;
/**
 * The five-point source by default: fr_landmark's points averaged with O-Net's on the same box.
 * On celebrity-aligned (fr_detect, fr_feature) it takes 10-fold accuracy from 97.10% to 97.63%
 * (the dataset's own alignment: 97.79%) and the alignment error from 4.9% to 3.9% of the eye
 * distance, for one 48x48 O-Net run (twice) per face (bench/results/landmarks.json,
 * bench/results/verify-accuracy.json). 'fr_landmark' alone is the path before.
 */
export const DEFAULT_LANDMARKS = 'fr_landmark+onet';
/** sources whose points lie further from the first source's than this (mean, in eye distances) are not averaged in */
export const LANDMARK_AGREEMENT = 0.3;

/** Mean distance between two five-point sets, in eye distances of the first. */
export function landmarksDisagreement(a: Landmarks5, b: Landmarks5): number {
  const eyes = Math.hypot(a[1][0] - a[0][0], a[1][1] - a[0][1]) || 1;
  return a.reduce((s, p, i) => s + Math.hypot(p[0] - b[i][0], p[1] - b[i][1]), 0) / 5 / eyes;
}

/** The five-point sources detectFaces uses for these options, checked. */
export function landmarkSources(opts: Pick<DetectOptions, 'landmarks'> = {}): string[] {
  // one default for every detector: MTCNN's own points measure worse than fr_landmark's on its
  // boxes (97.38% vs 97.74%), O-Net averaged in as elsewhere 97.79% (bench/results/verify-accuracy.json)
  const spec = opts.landmarks ?? DEFAULT_LANDMARKS;
  const parts = spec.split('+').map((s) => s.trim());
  const bad = parts.filter((s) => !(LANDMARK_SOURCES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new FacekitError('BAD_ARGUMENT', `unknown landmark source "${bad.join('+')}"; known: ${LANDMARK_SOURCES.join(', ')} (join several with '+' to average them)`);
  }
  return parts;
}

/** For cache keys: the five-point source when it is not fr_landmark alone (whose keys stay as they were). */
export function landmarkSourcesKey(opts: Pick<DetectOptions, 'landmarks'> = {}): string | undefined {
  const sources = landmarkSources(opts);
  // averages follow the agreement rule: its threshold is part of what the points mean
  return sources.join('+') === 'fr_landmark' ? undefined : `${sources.join('+')}${sources.length > 1 ? `@agree${LANDMARK_AGREEMENT}` : ''}`;
}

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

  const sources = landmarkSources(opts);

  const small = await limitSide(image, maxSide);
  const raw = await det.run(small.image, { scoreThreshold, iouThreshold, tiles: opts.tiles });
  const fillsImage = (b: Box, w: number, h: number) => Math.max(b.w / w, b.h / h) > TIGHT_CROP_SHARE;
  const tight = raw.some((r) => fillsImage(r.box, small.image.width, small.image.height));
  // A small image is most often a face crop. Too tight for the detector, it shows either no face
  // or only a part of one (an eye and a nose boxed as a face), so it is searched with context too
  // and the canvas wins when it finds a face filling the image.
  const smallImage = Math.max(image.width, image.height) <= SMALL_IMAGE_SIDE;
  if (opts.context !== false && (tight || smallImage)) {
    const border = Math.round(Math.max(image.width, image.height) / 2);
    const faces = (await detectFaces(onCanvas(image, border, 128), { ...opts, context: false })).map((f) => shifted(f, -border));
    if (faces.length > 0 && (tight || raw.length === 0 || faces.some((f) => fillsImage(f.box, image.width, image.height)))) return faces;
  }
  const k = 1 / small.scale;
  let found = raw.map((r) => ({
    score: r.score,
    box: { x: r.box.x * k, y: r.box.y * k, w: r.box.w * k, h: r.box.h * k },
    own: r.keypoints?.length === 5 ? (r.keypoints.map(([x, y]) => [x * k, y * k]) as Landmarks5) : undefined,
  }));
  const minFaceSize = opts.minFaceSize ?? 0;
  found = found.filter((f) => Math.min(f.box.w, f.box.h) >= minFaceSize);
  found.sort((a, b) => b.score - a.score);
  if (opts.maxFaces !== undefined) found = found.slice(0, Math.max(0, opts.maxFaces));

  const landmarks68 = (img: RgbImage, box: Box) => (landmarkModel === 'fr_landmark' ? predictLandmarks68(img, box) : predictFaceApiLandmarks68(img, box, landmarkModel));
  const faces: Face[] = [];
  for (const f of found) {
    // landmarks come from the full-resolution image: the crop is small, so detail helps
    const dense = await landmarks68(image, f.box);
    const first = landmarks5From68(dense);
    const sets: Landmarks5[] = [];
    for (const source of sources) {
      if (source === 'fr_landmark') sets.push(first);
      else if (source === 'refined') sets.push(landmarks5From68(await refineLandmarks68(image, first)));
      else if (source === 'onet') sets.push((await onetLandmarks(image, f.box)) as Landmarks5);
      else if (source === 'mesh') sets.push(landmarks5FromMesh((await (await import('../analyze/mesh.js')).predictMesh(image, f)).points));
      else if (source === 'detector' && f.own) sets.push(f.own);
    }
    // agreement: a source far from the first one listed (a profile view, where O-Net and
    // fr_landmark put the hidden eye in different places) is left out rather than averaged in
    const agreeing = sets.filter((set) => landmarksDisagreement(sets[0], set) <= LANDMARK_AGREEMENT);
    const landmarks5 = agreeing.length === 0 ? first : agreeing.length === 1 ? agreeing[0] : averageLandmarks5(agreeing);
    const face: Face = { box: f.box, score: f.score, landmarks5, detector: det.id };
    if (opts.denseLandmarks !== false) face.landmarks = dense;
    faces.push(face);
  }
  return faces;
}
