/**
 * Face image quality: is this face good enough to enroll (or to trust a match on)?
 * Four components in 0..1, each from a measurement with a documented ramp, and a combined score.
 *
 * - size: inter-ocular distance and box side in pixels of the original image. Recognition crops
 *   are 112 px with the eyes ~38 px apart; below that the crop is upsampled and detail is invented.
 *   Ramps: iod 12 px -> 0 .. 40 px -> 1; box side 32 px -> 0 .. 112 px -> 1; size = the smaller.
 * - blur: variance of the Laplacian (3x3, 4-neighbour) of the grey face box resampled to 128x128,
 *   so the figure does not depend on the face's size in the photo. blur = 1 - exp(-var / BLUR_SCALE).
 *   Sensor noise raises the variance too, so a noisy dark photo can look sharp; brightness
 *   catches most of those.
 * - pose: from the five landmarks (see pose.ts). Each angle scores 1 up to a tolerance and falls
 *   linearly to 0 at a limit: yaw 10..45, pitch 10..35 (the estimate is rougher), roll 15..60
 *   (alignment undoes roll, so it matters least). pose = product of the three.
 * - brightness: mean luma of the face box; 1 in 80..180, falling to 0 at 20 and 245; times a
 *   clipping penalty: the fraction of pixels at <= 5 or >= 250 costs nothing up to 5% and
 *   everything at 35%.
 *
 * score = weighted geometric mean (size .25, blur .3, pose .3, brightness .15), so one bad
 * component cannot be averaged away and a zero component gives zero.
 */
import type { Face } from '../face.js';
import type { RgbImage } from '../image/types.js';
import { FacekitError } from '../errors/index.js';
import { cropResize, toGrey } from './crop.js';
import { estimatePose, interOcularDistance, type HeadPose } from './pose.js';

/**
 * Enrollment bar for `score`. At 0.5 a face needs every component reasonable: e.g. size 1, blur
 * 0.6 and pose 0.5 with good light passes; a face 15 px between the eyes, or turned 35 degrees,
 * or under a strong motion blur, does not. Matching may accept lower quality than enrollment.
 */
export const QUALITY_BAR = 0.5;

/**
 * Box side in pixels of the original image at which the size component reaches 0: a smaller face
 * is upsampled several times into the 112 px recognition crop, and its embedding no longer matches
 * a good photo of the same person. Enrollment refuses it outright (checkEnrollFaceSize).
 */
export const MIN_ENROLL_FACE_SIDE = 32;

/** A face too small to enroll is BAD_IMAGE naming its size and the minimum. */
export function checkEnrollFaceSize(face: Face, label: string): void {
  const { w, h } = face.box;
  if (Math.min(w, h) >= MIN_ENROLL_FACE_SIDE) return;
  throw new FacekitError(
    'BAD_IMAGE',
    `the face in ${label} is ${Math.round(w)}x${Math.round(h)} pixels, too small to enroll (at least ${MIN_ENROLL_FACE_SIDE}x${MIN_ENROLL_FACE_SIDE}); use a closer or larger photo`,
    { width: w, height: h, minimum: MIN_ENROLL_FACE_SIDE },
  );
}

export const BLUR_SCALE = 150;
const BLUR_SIZE = 128;
const WEIGHTS = { size: 0.25, blur: 0.3, pose: 0.3, brightness: 0.15 };

export interface FaceQuality {
  score: number;
  size: number;
  blur: number;
  /** estimated head pose in degrees */
  pose: HeadPose;
  poseScore: number;
  brightness: number;
  /** the raw figures the components come from */
  measures: { interOcular: number; boxSide: number; laplacianVariance: number; meanLuma: number; clipped: number };
  passes: boolean;
}

const ramp = (v: number, lo: number, hi: number): number => Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
const fall = (v: number, ok: number, zero: number): number => 1 - ramp(Math.abs(v), ok, zero);

export function laplacianVariance(grey: Float32Array, width: number, height: number): number {
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const l = grey[i - 1] + grey[i + 1] + grey[i - width] + grey[i + width] - 4 * grey[i];
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

export function sizeScore(interOcular: number, boxSide: number): number {
  return Math.min(ramp(interOcular, 12, 40), ramp(boxSide, MIN_ENROLL_FACE_SIDE, 112));
}

export function poseScore(p: HeadPose): number {
  return fall(p.yaw, 10, 45) * fall(p.pitch, 10, 35) * fall(p.roll, 15, 60);
}

export function brightnessScore(meanLuma: number, clipped: number): number {
  const exposure = meanLuma < 80 ? ramp(meanLuma, 20, 80) : 1 - ramp(meanLuma, 180, 245);
  return exposure * (1 - ramp(clipped, 0.05, 0.35));
}

export function combineQuality(c: { size: number; blur: number; pose: number; brightness: number }): number {
  let log = 0;
  for (const k of Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]) {
    if (c[k] <= 0) return 0;
    log += WEIGHTS[k] * Math.log(c[k]);
  }
  return Math.exp(log);
}

export async function assessQuality(image: RgbImage, face: Face): Promise<FaceQuality> {
  const { box } = face;
  if (!face.landmarks5 || face.landmarks5.length !== 5) {
    throw new FacekitError('BAD_ARGUMENT', 'face quality needs the five landmarks (face.landmarks5)');
  }
  const crop = cropResize(image, box, BLUR_SIZE, BLUR_SIZE);
  const grey = toGrey(crop);
  let sum = 0;
  let clippedCount = 0;
  for (const v of grey) {
    sum += v;
    if (v <= 5 || v >= 250) clippedCount++;
  }
  const meanLuma = sum / grey.length;
  const clipped = clippedCount / grey.length;
  const lapVar = laplacianVariance(grey, BLUR_SIZE, BLUR_SIZE);
  const interOcular = interOcularDistance(face.landmarks5);
  const boxSide = Math.min(box.w, box.h);
  const pose = estimatePose(face.landmarks5);
  const components = {
    size: sizeScore(interOcular, boxSide),
    blur: 1 - Math.exp(-lapVar / BLUR_SCALE),
    pose: poseScore(pose),
    brightness: brightnessScore(meanLuma, clipped),
  };
  const score = combineQuality(components);
  return {
    score,
    size: components.size,
    blur: components.blur,
    pose,
    poseScore: components.pose,
    brightness: components.brightness,
    measures: { interOcular, boxSide, laplacianVariance: lapVar, meanLuma, clipped },
    passes: score >= QUALITY_BAR,
  };
}
