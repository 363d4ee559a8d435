/**
 * Aligned face crops: a similarity warp that puts the five landmarks on a template, or (align:
 * false) an unrotated square crop around the box at the same size, for comparison.
 */
import { FacekitError } from '../errors/index.js';
import type { Box, Landmarks5, Point } from '../face.js';
import type { RgbImage } from '../image/types.js';
import type { Affine } from './affine.js';
import { similarityTransform } from './similarity.js';
import { arcfaceTemplate, type FaceTemplate } from './templates.js';
import { warpAffine } from './warp.js';

export interface AlignOptions {
  /** the destination template (default: ArcFace at `size`) */
  template?: FaceTemplate;
  /** crop side for the default ArcFace template (default 112) */
  size?: number;
  fill?: [number, number, number];
}

/** The crop, plus the matrix that took source pixels into it. */
export interface AlignedCrop extends RgbImage {
  matrix: Affine;
}

function checkLandmarks(l: readonly Point[]): void {
  if (l.length !== 5 || !l.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))) {
    throw new FacekitError('BAD_ARGUMENT', 'alignment needs five finite landmarks (eyes, nose tip, mouth corners)');
  }
}

export function alignToTemplate(image: RgbImage, landmarks5: Landmarks5, opts: AlignOptions = {}): AlignedCrop {
  checkLandmarks(landmarks5);
  const t = opts.template ?? arcfaceTemplate(opts.size ?? 112);
  const matrix = similarityTransform(landmarks5, t.points);
  return { ...warpAffine(image, matrix, t.width, t.height, { fill: opts.fill }), matrix };
}

export interface SquareCropOptions {
  size?: number;
  /** grow the square by this fraction of its side on every side (default 0) */
  padding?: number;
  fill?: [number, number, number];
}

/** Unrotated square crop centred on the box, side = longer box side, resampled to `size`. */
export function squareCrop(image: RgbImage, box: Box, opts: SquareCropOptions = {}): AlignedCrop {
  const size = opts.size ?? 112;
  const side = Math.max(box.w, box.h) * (1 + 2 * (opts.padding ?? 0));
  if (!(side > 0)) throw new FacekitError('BAD_ARGUMENT', 'cannot crop an empty box');
  const k = size / side;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  // pixel i covers [i, i+1) and is sampled at its centre, hence the half-pixel terms
  const matrix: Affine = [[k, 0, k * (0.5 - cx) + size / 2 - 0.5], [0, k, k * (0.5 - cy) + size / 2 - 0.5]];
  return { ...warpAffine(image, matrix, size, size, { fill: opts.fill }), matrix };
}

/**
 * The region `box` of `image` resampled to width x height with the align stage's bilinear warp
 * (like the reference code's cv.resize INTER_LINEAR); outside the image reads black.
 */
export function cropResize(image: RgbImage, box: Box, width: number, height: number): RgbImage {
  if (!(box.w >= 1 && box.h >= 1) || ![box.x, box.y, box.w, box.h].every(Number.isFinite)) {
    throw new FacekitError('BAD_ARGUMENT', `face box ${JSON.stringify(box)} is empty or not finite`);
  }
  const kx = width / box.w;
  const ky = height / box.h;
  // pixel i covers [i, i+1) and is sampled at its centre, hence the half-pixel terms
  const matrix: Affine = [[kx, 0, kx * (0.5 - box.x) - 0.5], [0, ky, ky * (0.5 - box.y) - 0.5]];
  return warpAffine(image, matrix, width, height);
}

export interface AlignFaceOptions extends AlignOptions {
  /** false: plain square crop around the box instead of the landmark warp (default true) */
  align?: boolean;
  /** padding for the square crop when align is false (default 0) */
  padding?: number;
}

/** The crop a recognition model sees for a detected face. */
export function alignFace(image: RgbImage, face: { box: Box; landmarks5: Landmarks5 }, opts: AlignFaceOptions = {}): AlignedCrop {
  if (opts.align === false) {
    const size = opts.template?.width ?? opts.size ?? 112;
    return squareCrop(image, face.box, { size, padding: opts.padding, fill: opts.fill });
  }
  return alignToTemplate(image, face.landmarks5, opts);
}
