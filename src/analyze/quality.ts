/**
 * Face image quality for recognition (the FIQA of ISO/IEC 29794-5): a score in 0..1 per face that
 * predicts whether its embedding can be trusted, and the cues that fail. Every face the pipeline
 * finds carries it (findFaces attaches `quality`), enrollment refuses faces below QUALITY_BAR, and
 * verify / identify answer `undecided` below a minimum (src/verify/quality-gate.ts).
 *
 * Seven components in 0..1, each a ramp over one measurement (measureQuality), combined by a
 * weighted geometric mean, so one bad component cannot be averaged away and a zero gives zero:
 *
 * - size: inter-ocular distance and box side in pixels of the original image. Recognition crops
 *   are 112 px with the eyes ~38 px apart; below that the crop is upsampled and detail is invented.
 * - blur: variance of the Laplacian (3x3, 4-neighbour) of the grey face box at its native
 *   resolution, shrunk to at most 128x128 but never enlarged: an upsampled small face is smooth
 *   because of the resampling, not because the photo is blurred, and was read as `blurred` (orl's
 *   92x112 photos). blur = 1 - exp(-var / BLUR_SCALE).
 * - pose: from the five landmarks (see pose.ts): yaw, pitch and roll each score 1 up to a tolerance
 *   and fall linearly to 0 at a limit; pose = product of the three.
 * - brightness: mean luma of the face box, times a penalty for clipped (black or white) pixels.
 * - detector: the detector's own score; a low one means a partial, odd or drawn face.
 * - eyes: grey-level spread in a patch around each eye landmark relative to the whole face's, and
 *   its mean relative to the face's: dark glasses, a hand or hair over the eyes flatten and darken
 *   the patch.
 * - mouth: the same spread around the mouth corners (a mask, a hand, a microphone).
 * - framing: the share of the face region (a square around the five landmarks, 2.2 inter-ocular
 *   distances or 2 eye-to-mouth heights wide) that lies outside the image: a face cut off by the
 *   frame is embedded from what is left.
 *
 * The ramps and weights (QUALITY_MODEL) were tuned by bench/quality.ts on its development split
 * (people of celebrity-aligned, orl and yale kept apart from those it reports on), for the error-
 * versus-reject curve: verification errors should fall as the lowest-quality faces are rejected.
 */
import type { Face, QualitySummary } from '../face.js';
import { roundMeasure } from '../rounding.js';
import type { RgbImage } from '../image/types.js';
import { FacekitError } from '../errors/index.js';
import { cropResize } from '../align/index.js';
import { toGrey } from './crop.js';
import { estimatePose, interOcularDistance, type HeadPose } from './pose.js';

/**
 * Enrollment bar for `score`: a face below it is refused (with its reasons) unless forced. At 0.5
 * a face needs every component reasonable; a face 15 px between the eyes, turned 40 degrees, under
 * a strong blur or behind dark glasses does not pass. Matching accepts lower quality
 * (DEFAULT_MIN_QUALITY) than enrollment.
 */
export const QUALITY_BAR = 0.5;

/**
 * Default minimum quality for a verify or identify decision: a face below it gets `undecided`, not
 * a yes/no. Lower than the enrollment bar: a query photo is what it is, and only faces whose
 * embedding is plainly unreliable (see bench/quality.ts for the rejected share) are held back.
 */
export const DEFAULT_MIN_QUALITY = 0.25;

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

/**
 * The enrollment review: a face below QUALITY_BAR is LOW_QUALITY naming the photo, its score and
 * the failing cues (the caller's force option skips this). A gallery photo is compared with every
 * later query, so a poor one costs more than a poor query.
 */
export function checkEnrollQuality(face: Face, label: string): void {
  const q = face.quality;
  if (!q || q.score >= QUALITY_BAR) return;
  const why = q.reasons.length ? q.reasons.join(', ') : 'several cues just short';
  throw new FacekitError(
    'LOW_QUALITY',
    `the face in ${label} is below the enrollment quality bar: quality ${q.score.toFixed(2)} < ${QUALITY_BAR} (${why}); use a sharper, frontal, well-lit photo, or force to enroll it anyway`,
    { image: label, score: q.score, reasons: [...q.reasons], bar: QUALITY_BAR },
  );
}

export const BLUR_SCALE = 150;
const BLUR_SIZE = 128;

/** [value at which the component is 0, value at which it is 1] for the rising ramps. */
export type Ramp = [number, number];

/** The tuned parameters of the score (see the file comment and bench/quality.ts). */
export const QUALITY_MODEL = {
  // fitted by `bench/quality.ts --fit` on the development half (2026-12-07): size carried no
  // signal there once the hard minimum (MIN_ENROLL_FACE_SIDE) is applied, blur the most
  weights: { size: 0, blur: 0.4, pose: 0.1, brightness: 0.1, detector: 0.1, eyes: 0.1, mouth: 0.05, framing: 0.1 },
  size: { interOcular: [12, 40] as Ramp, boxSide: [MIN_ENROLL_FACE_SIDE, 112] as Ramp },
  /** |angle| in degrees: [score 1 up to, score 0 at] */
  pose: { yaw: [10, 45] as Ramp, pitch: [10, 35] as Ramp, roll: [15, 60] as Ramp },
  brightness: { dark: [20, 80] as Ramp, bright: [180, 245] as Ramp, clipped: [0.05, 0.35] as Ramp },
  detector: [0.5, 0.8] as Ramp,
  eyes: { contrast: [0.1, 0.35] as Ramp, luma: [0.25, 0.55] as Ramp },
  mouth: { contrast: [0.05, 0.25] as Ramp },
  /** share of the face region outside the image: [score 1 up to, score 0 at] */
  framing: [0.05, 0.4] as Ramp,
};

/** A component below this names its reason in the face's `quality.reasons`. */
export const REASON_BAR = 0.5;

export type QualityComponent = keyof typeof QUALITY_MODEL.weights;

/** The raw figures the components come from (cacheable: the score can be retuned without them changing). */
export interface QualityMeasures {
  detectorScore: number;
  interOcular: number;
  boxSide: number;
  laplacianVariance: number;
  meanLuma: number;
  /** share of face-box pixels at <= 5 or >= 250 */
  clipped: number;
  yaw: number;
  pitch: number;
  roll: number;
  /** grey standard deviation in the eye patches / in the whole face box */
  eyeContrast: number;
  /** mean grey in the eye patches / in the whole face box */
  eyeLuma: number;
  /** grey standard deviation around the mouth / in the whole face box */
  mouthContrast: number;
  /** share of the face region (around the landmarks) outside the image */
  outside: number;
}

/** The order QualityMeasures are stored in as a vector (the evaluation cache keeps them so). */
export const MEASURE_KEYS: readonly (keyof QualityMeasures)[] = [
  'detectorScore', 'interOcular', 'boxSide', 'laplacianVariance', 'meanLuma', 'clipped', 'yaw', 'pitch', 'roll', 'eyeContrast', 'eyeLuma', 'mouthContrast', 'outside',
];

export type { QualitySummary };

export interface FaceQuality extends QualitySummary {
  /** each component in 0..1 */
  components: Record<QualityComponent, number>;
  size: number;
  blur: number;
  /** estimated head pose in degrees */
  pose: HeadPose;
  poseScore: number;
  brightness: number;
  measures: QualityMeasures;
  /** score >= QUALITY_BAR: good enough to enroll */
  passes: boolean;
}

export const ramp = (v: number, [lo, hi]: Ramp): number => Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
const fall = (v: number, [ok, zero]: Ramp): number => 1 - ramp(Math.abs(v), [ok, zero]);

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
  return Math.min(ramp(interOcular, QUALITY_MODEL.size.interOcular), ramp(boxSide, QUALITY_MODEL.size.boxSide));
}

export function poseScore(p: HeadPose): number {
  const m = QUALITY_MODEL.pose;
  return fall(p.yaw, m.yaw) * fall(p.pitch, m.pitch) * fall(p.roll, m.roll);
}

export function brightnessScore(meanLuma: number, clipped: number): number {
  const m = QUALITY_MODEL.brightness;
  const exposure = meanLuma < m.dark[1] ? ramp(meanLuma, m.dark) : 1 - ramp(meanLuma, m.bright);
  return exposure * (1 - ramp(clipped, m.clipped));
}

/** Mean and standard deviation of grey in a square of half-side r around (cx, cy), sampled on a 9x9 grid (outside the image reads black). */
function patchStats(image: RgbImage, cx: number, cy: number, r: number): { mean: number; std: number } {
  const { width, height, data } = image;
  const n = 9;
  let sum = 0;
  let sum2 = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x = Math.round(cx - r + (2 * r * i) / (n - 1));
      const y = Math.round(cy - r + (2 * r * j) / (n - 1));
      let g = 0;
      if (x >= 0 && y >= 0 && x < width && y < height) {
        const k = 3 * (y * width + x);
        g = 0.299 * data[k] + 0.587 * data[k + 1] + 0.114 * data[k + 2];
      }
      sum += g;
      sum2 += g * g;
    }
  }
  const mean = sum / (n * n);
  return { mean, std: Math.sqrt(Math.max(0, sum2 / (n * n) - mean * mean)) };
}

/** The raw quality measurements of one face (pixels of the original image, degrees, grey levels). */
export function measureQuality(image: RgbImage, face: Face): QualityMeasures {
  const { box } = face;
  if (!face.landmarks5 || face.landmarks5.length !== 5) {
    throw new FacekitError('BAD_ARGUMENT', 'face quality needs the five landmarks (face.landmarks5)');
  }
  // native resolution, at most BLUR_SIZE: resampling up would smooth a sharp small face
  const gw = Math.max(8, Math.min(BLUR_SIZE, Math.round(box.w)));
  const gh = Math.max(8, Math.min(BLUR_SIZE, Math.round(box.h)));
  const grey = toGrey(cropResize(image, box, gw, gh));
  let sum = 0;
  let sum2 = 0;
  let clippedCount = 0;
  for (const v of grey) {
    sum += v;
    sum2 += v * v;
    if (v <= 5 || v >= 250) clippedCount++;
  }
  const meanLuma = sum / grey.length;
  const faceStd = Math.sqrt(Math.max(0, sum2 / grey.length - meanLuma * meanLuma));
  const interOcular = interOcularDistance(face.landmarks5);
  const pose = estimatePose(face.landmarks5);
  const [le, re, , lm, rm] = face.landmarks5;
  const r = Math.max(1.5, 0.2 * interOcular);
  const eyes = [patchStats(image, le[0], le[1], r), patchStats(image, re[0], re[1], r)];
  const mouth = patchStats(image, (lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2, Math.max(1.5, 0.3 * Math.hypot(rm[0] - lm[0], rm[1] - lm[1])));
  // the face region from the landmarks, not the detector's box (which detectors clip to the image)
  const cx = (le[0] + re[0] + lm[0] + rm[0]) / 4;
  const cy = (le[1] + re[1] + lm[1] + rm[1]) / 4;
  const eyeToMouth = Math.hypot((lm[0] + rm[0] - le[0] - re[0]) / 2, (lm[1] + rm[1] - le[1] - re[1]) / 2);
  const half = Math.max(1.1 * interOcular, eyeToMouth);
  const inside = (Math.max(0, Math.min(image.width, cx + half) - Math.max(0, cx - half)) * Math.max(0, Math.min(image.height, cy + half) - Math.max(0, cy - half))) / (4 * half * half);
  // a flat grey face box has no contrast to compare with: its regions count as covered
  const relative = (v: number, ref: number) => (ref > 1e-3 ? v / ref : 0);
  return {
    detectorScore: face.score,
    interOcular,
    boxSide: Math.min(box.w, box.h),
    laplacianVariance: laplacianVariance(grey, gw, gh),
    meanLuma,
    clipped: clippedCount / grey.length,
    yaw: pose.yaw,
    pitch: pose.pitch,
    roll: pose.roll,
    eyeContrast: relative((eyes[0].std + eyes[1].std) / 2, faceStd),
    eyeLuma: relative((eyes[0].mean + eyes[1].mean) / 2, meanLuma),
    mouthContrast: relative(mouth.std, faceStd),
    outside: half > 0 ? 1 - inside : 0,
  };
}

export function qualityComponents(m: QualityMeasures): Record<QualityComponent, number> {
  const q = QUALITY_MODEL;
  return {
    size: sizeScore(m.interOcular, m.boxSide),
    blur: 1 - Math.exp(-m.laplacianVariance / BLUR_SCALE),
    pose: poseScore(m),
    brightness: brightnessScore(m.meanLuma, m.clipped),
    detector: ramp(m.detectorScore, q.detector),
    eyes: Math.min(ramp(m.eyeContrast, q.eyes.contrast), ramp(m.eyeLuma, q.eyes.luma)),
    mouth: ramp(m.mouthContrast, q.mouth.contrast),
    framing: fall(m.outside, q.framing),
  };
}

export function combineQuality(c: Record<QualityComponent, number>, weights: Record<QualityComponent, number> = QUALITY_MODEL.weights): number {
  let log = 0;
  let total = 0;
  for (const k of Object.keys(weights) as QualityComponent[]) {
    if (weights[k] === 0) continue;
    if (c[k] <= 0) return 0;
    log += weights[k] * Math.log(c[k]);
    total += weights[k];
  }
  return total > 0 ? Math.exp(log / total) : 1;
}

/** The failing cues of a face in words (those the score weighs), the worst component first. */
export function qualityReasons(c: Record<QualityComponent, number>, m: QualityMeasures): string[] {
  const words: Record<QualityComponent, () => string> = {
    size: () => 'too small',
    blur: () => 'blurred',
    pose: () => {
      const p = QUALITY_MODEL.pose;
      const worst = [
        { word: 'profile', v: Math.abs(m.yaw) / p.yaw[1] },
        { word: 'looking up or down', v: Math.abs(m.pitch) / p.pitch[1] },
        { word: 'head tilted', v: Math.abs(m.roll) / p.roll[1] },
      ].reduce((a, b) => (b.v > a.v ? b : a));
      return worst.word;
    },
    brightness: () => (m.meanLuma < QUALITY_MODEL.brightness.dark[1] ? 'too dark' : m.meanLuma > QUALITY_MODEL.brightness.bright[0] ? 'too bright' : 'clipped light'),
    detector: () => 'unclear face (low detector score)',
    eyes: () => 'eyes covered or dark',
    mouth: () => 'mouth covered',
    framing: () => 'face cut off by the frame',
  };
  return (Object.keys(words) as QualityComponent[])
    // a cue the score does not weigh explains nothing about it
    .filter((k) => c[k] < REASON_BAR && QUALITY_MODEL.weights[k] > 0)
    .sort((a, b) => c[a] - c[b])
    .map((k) => words[k]());
}

/** Score, components and reasons from the measurements. */
export function scoreQuality(m: QualityMeasures): FaceQuality {
  const components = qualityComponents(m);
  const score = combineQuality(components);
  return {
    score,
    reasons: qualityReasons(components, m),
    components,
    size: components.size,
    blur: components.blur,
    pose: { yaw: m.yaw, pitch: m.pitch, roll: m.roll },
    poseScore: components.pose,
    brightness: components.brightness,
    measures: m,
    passes: score >= QUALITY_BAR,
  };
}

export async function assessQuality(image: RgbImage, face: Face): Promise<FaceQuality> {
  return scoreQuality(measureQuality(image, face));
}

/** The record every face shows: score to 4 decimals, reasons. */
export function qualitySummary(q: QualitySummary): QualitySummary {
  return { score: roundMeasure(q.score), reasons: [...q.reasons] };
}

/** Faces with `quality` attached (the pipeline's findFaces does this for every face it returns). */
export function withQuality(image: RgbImage, faces: Face[]): Face[] {
  return faces.map((f) => ({ ...f, quality: qualitySummary(scoreQuality(measureQuality(image, f))) }));
}
