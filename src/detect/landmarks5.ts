/**
 * Five alignment points from several sources, measured against each other by bench/landmarks.ts
 * on celebrity-aligned (whose crops carry a known five-point alignment):
 * - 'fr_landmark': the 68-point model on the detector box, reduced to five (landmarks5From68);
 * - 'refined': a second pass of the same model on a crop warped so the first pass's five points
 *   sit where the model puts them on average in its own crop (upright, centred, at its usual
 *   scale), mapped back to the image;
 * - 'onet': MTCNN's O-Net on the detector box (two passes, the box regressed in between);
 * - 'mesh': the 478-point face mesh with iris: iris centres, nose tip, mouth corners.
 * Sources can be averaged point by point.
 */
import type { Landmarks5, Point } from '../face.js';
import { applyAffine, invertAffine } from '../align/affine.js';
import { similarityTransform } from '../align/similarity.js';
import { warpAffine } from '../align/warp.js';
import type { RgbImage } from '../image/types.js';
import { predictLandmarks68 } from './landmarks68.js';

/**
 * Where fr_landmark's five points fall on average inside its own square input crop (fractions of
 * the side), measured on celebrity-aligned images 20-29 of each person (bench/landmarks.ts scores
 * images 0-9).
 */
export const FR_LANDMARK_CROP_TEMPLATE: Landmarks5 = [[0.3304, 0.4068], [0.6583, 0.4044], [0.501, 0.6067], [0.3604, 0.7584], [0.637, 0.7578]];
/** side of the warped crop for the second pass (the model then resizes it to its 64x64 input) */
const REFINE_CROP = 128;

/** The 68 points again, from a crop aligned on a first estimate of the five points. */
export async function refineLandmarks68(image: RgbImage, first: Landmarks5): Promise<Point[]> {
  const dst = FR_LANDMARK_CROP_TEMPLATE.map(([u, v]): Point => [u * REFINE_CROP, v * REFINE_CROP]);
  const m = similarityTransform(first, dst);
  const crop = warpAffine(image, m, REFINE_CROP, REFINE_CROP, { fill: [128, 128, 128] });
  const inCrop = await predictLandmarks68(crop, { x: 0, y: 0, w: REFINE_CROP, h: REFINE_CROP });
  const back = invertAffine(m);
  return inCrop.map((p) => applyAffine(back, p));
}

/** Point-by-point mean of several five-point sets. */
export function averageLandmarks5(sets: readonly Landmarks5[]): Landmarks5 {
  return sets[0].map((_, i) => [sets.reduce((s, p) => s + p[i][0], 0) / sets.length, sets.reduce((s, p) => s + p[i][1], 0) / sets.length]) as Landmarks5;
}

/** Five points from the face mesh (478 points with iris): the eyes ordered by x, as the template's. */
export function landmarks5FromMesh(points: readonly (readonly number[])[]): Landmarks5 {
  const irisA: Point = [points[468][0], points[468][1]], irisB: Point = [points[473][0], points[473][1]];
  const [le, re] = irisA[0] <= irisB[0] ? [irisA, irisB] : [irisB, irisA];
  const mA: Point = [points[61][0], points[61][1]], mB: Point = [points[291][0], points[291][1]];
  const [lm, rm] = mA[0] <= mB[0] ? [mA, mB] : [mB, mA];
  return [le, re, [points[1][0], points[1][1]], lm, rm];
}
