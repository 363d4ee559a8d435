/**
 * Five-point face templates: where the eyes, nose tip and mouth corners should land in a crop.
 * Each recognition model declares its crop convention by naming one of these.
 */
import type { Landmarks5, Point } from '../face.js';

export interface FaceTemplate {
  width: number;
  height: number;
  /** left eye, right eye (as seen in the image), nose tip, left and right mouth corner */
  points: Landmarks5;
}

/** InsightFace's canonical ArcFace 112x112 destination (arcface_dst in insightface/utils/face_align.py). */
export const ARCFACE_112: FaceTemplate = {
  width: 112,
  height: 112,
  points: [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
};

/**
 * dlib's mean face (get_face_chip_details, points 17..67 in unit coordinates) reduced to the five
 * points: eye centres are the means of the six eye-contour points, nose tip is point 30, mouth
 * corners 48 and 54. Unit square = the tight face region dlib pads by `padding` on every side.
 */
const DLIB_UNIT: Landmarks5 = [
  [(0.121737 + 0.187122 + 0.265825 + 0.334606 + 0.260918 + 0.182743) / 6, (0.216423 + 0.178758 + 0.179852 + 0.231733 + 0.245099 + 0.244077) / 6],
  [(0.645647 + 0.714428 + 0.793132 + 0.858516 + 0.79751 + 0.719335) / 6, (0.231733 + 0.179852 + 0.178758 + 0.216423 + 0.244077 + 0.245099) / 6],
  [0.490127, 0.515625],
  [0.254149, 0.780233],
  [0.726104, 0.780233],
];

const mapPoints = (pts: Landmarks5, f: (p: Point) => Point) => pts.map(f) as Landmarks5;

/**
 * The ArcFace template for a square crop of `size` pixels; `margin` (fraction of the crop on each
 * side) shrinks the face towards the centre to leave context, e.g. margin 0.1 at 112 -> the
 * canonical face occupies the middle 1/1.2 of the crop.
 */
export function arcfaceTemplate(size = 112, margin = 0): FaceTemplate {
  const k = size / 112 / (1 + 2 * margin);
  const off = size * margin / (1 + 2 * margin);
  return { width: size, height: size, points: mapPoints(ARCFACE_112.points, ([x, y]) => [x * k + off, y * k + off]) };
}

/**
 * dlib's face chip convention (the one face-api's / dlib's ResNet recognizer was trained on):
 * extract_image_chip(img, get_face_chip_details(shape, 150, 0.25)).
 */
export function dlibTemplate(size = 150, padding = 0.25): FaceTemplate {
  const k = size / (1 + 2 * padding);
  return { width: size, height: size, points: mapPoints(DLIB_UNIT, ([x, y]) => [(x + padding) * k, (y + padding) * k]) };
}

/** A template scaled to another crop size (both sides scaled independently). */
export function scaleTemplate(t: FaceTemplate, width: number, height = width): FaceTemplate {
  return { width, height, points: mapPoints(t.points, ([x, y]) => [(x * width) / t.width, (y * height) / t.height]) };
}
