/** Cropping a face box out of an image, clamped to the image, with optional padding. */
import type { Box } from '../face.js';
import { FacekitError } from '../errors/index.js';
import type { RgbImage } from './types.js';

export interface CropOptions {
  /** grow the box by this fraction of its size on every side (default 0) */
  padding?: number;
  /** make the box square around its centre (longer side) before padding */
  square?: boolean;
}

export interface Cropped {
  image: RgbImage;
  /** the integer region actually cut, in source pixels */
  box: Box;
}

/** The box after squaring and padding, rounded outwards and clamped to the image. */
export function cropRegion(width: number, height: number, box: Box, opts: CropOptions = {}): Box {
  let { x, y, w, h } = box;
  if (opts.square) {
    const s = Math.max(w, h);
    x += (w - s) / 2;
    y += (h - s) / 2;
    w = h = s;
  }
  const p = opts.padding ?? 0;
  x -= w * p;
  y -= h * p;
  w *= 1 + 2 * p;
  h *= 1 + 2 * p;
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(width, Math.ceil(x + w));
  const y1 = Math.min(height, Math.ceil(y + h));
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

export function cropBox(image: RgbImage, box: Box, opts: CropOptions = {}): Cropped {
  const r = cropRegion(image.width, image.height, box, opts);
  if (r.w < 1 || r.h < 1) {
    throw new FacekitError('BAD_ARGUMENT', `crop box (${box.x.toFixed(0)},${box.y.toFixed(0)} ${box.w.toFixed(0)}x${box.h.toFixed(0)}) lies outside the ${image.width}x${image.height} image`);
  }
  const out = new Uint8Array(r.w * r.h * 3);
  for (let y = 0; y < r.h; y++) {
    const s = ((r.y + y) * image.width + r.x) * 3;
    out.set(image.data.subarray(s, s + r.w * 3), y * r.w * 3);
  }
  return { image: { data: out, width: r.w, height: r.h }, box: r };
}
