/**
 * Head pose from the five detector landmarks, without a pose model. Cheap and always available,
 * so quality gating and head-turn challenges work with any detector.
 *
 * Conventions (degrees, image coordinates, y down):
 * - roll: angle of the eye line, atan2(re.y - le.y, re.x - le.x); positive = the image-right eye
 *   is lower (head tilted clockwise as seen in the image).
 * - yaw: positive = nose tip right of the eye midpoint in the image. In an unmirrored camera
 *   image that is the subject turning towards their own left.
 * - pitch: positive = nose tip nearer the mouth than a frontal face has it (head tilted down).
 *
 * Formulas (after rotating the points by -roll about the eye midpoint):
 * - yaw   = atan( dx / (NOSE_DEPTH * iod) ), dx = nose.x - eyeMid.x, iod = inter-ocular distance.
 *   A nose tip standing NOSE_DEPTH*iod in front of the eye plane moves by depth*sin(yaw) while
 *   the eyes shrink by cos(yaw), so dx/iod = NOSE_DEPTH*tan(yaw).
 * - pitch = atan( (r - FRONTAL_RATIO) / (NOSE_DEPTH_V) ), r = (nose.y - eyeMid.y) / (mouthMid.y - eyeMid.y).
 *   Same reasoning vertically: r = r0 + (depth / eye-to-mouth height) * tan(pitch).
 *
 * Limits: the constants are population averages (ArcFace 5-point template, anthropometric nose
 * depth); a given face differs by a few percent, which is several degrees of bias, mostly in
 * pitch. Landmark noise of 1-2 px on a small face is also several degrees. Beyond about 45 degrees
 * of yaw the detector's landmarks themselves become unreliable. Good for gating and challenges
 * (is the face roughly frontal? did it turn by 20+ degrees?), not for measurement. Measured with
 * the default detector (fr_detect + fr_landmark) on 200 UTKFace faces (mostly frontal): median
 * yaw -0.5, median pitch +5 degrees, 10-90% ranges [-12, 10] and [-13, 26].
 */
import type { Landmarks5, Point } from '../face.js';

export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** nose-tip depth in front of the eyes, as a fraction of the inter-ocular distance */
export const NOSE_DEPTH = 0.55;
/** (nose.y - eyes.y) / (mouth.y - eyes.y) of a frontal face; ArcFace template: 20.2 / 40.7 */
export const FRONTAL_RATIO = 0.5;
/** nose-tip depth as a fraction of the eye-to-mouth height (0.55 iod / 1.16 iod) */
export const NOSE_DEPTH_V = 0.47;

const DEG = 180 / Math.PI;

export function estimatePose(landmarks5: Landmarks5): HeadPose {
  const [le, re, nose, lm, rm] = landmarks5;
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const eyeMid: Point = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const mouthMid: Point = [(lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2];
  const iod = Math.hypot(re[0] - le[0], re[1] - le[1]);
  if (!(iod > 0)) return { yaw: 0, pitch: 0, roll: 0 };
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  const derolled = (p: Point): Point => {
    const dx = p[0] - eyeMid[0];
    const dy = p[1] - eyeMid[1];
    return [dx * cos - dy * sin, dx * sin + dy * cos];
  };
  const n = derolled(nose);
  const m = derolled(mouthMid);
  const yaw = Math.atan(n[0] / (NOSE_DEPTH * iod)) * DEG;
  // a degenerate mouth (above or on the eye line) gives no usable vertical scale
  const pitch = m[1] > 0 ? Math.atan((n[1] / m[1] - FRONTAL_RATIO) / NOSE_DEPTH_V) * DEG : 0;
  return { yaw, pitch, roll: roll * DEG };
}

export function interOcularDistance(landmarks5: Landmarks5): number {
  const [le, re] = landmarks5;
  return Math.hypot(re[0] - le[0], re[1] - le[1]);
}
