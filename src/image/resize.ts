/**
 * Resizing to a model's input size. `letterbox` keeps the aspect ratio and pads, so faces are not
 * squashed; the returned scale and offset map model-input coordinates back to the source:
 * source = (input - offset) / scale.
 */
import { loadSharp } from './sharp.js';
import { FacekitError } from '../errors/index.js';
import type { RgbImage } from './types.js';

export interface ResizeOptions {
  /** keep the aspect ratio and pad to the target size (default false: stretch) */
  letterbox?: boolean;
  /** where the padding goes when letterboxing: centred, or all at right/bottom (default 'center') */
  align?: 'center' | 'topleft';
  /** padding grey level 0..255 (default 0) */
  fill?: number;
}

export interface Resized {
  image: RgbImage;
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

export async function resizeImage(image: RgbImage, width: number, height: number, opts: ResizeOptions = {}): Promise<Resized> {
  const sharp = await loadSharp();
  if (!(width > 0 && height > 0)) throw new FacekitError('BAD_ARGUMENT', `resize target must be positive, got ${width}x${height}`);
  let w = width;
  let h = height;
  if (opts.letterbox) {
    const s = Math.min(width / image.width, height / image.height);
    w = Math.max(1, Math.min(width, Math.round(image.width * s)));
    h = Math.max(1, Math.min(height, Math.round(image.height * s)));
  }
  let data: Uint8Array;
  if (w === image.width && h === image.height) {
    data = image.data;
  } else {
    const buf = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(w, h, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    data = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  }
  const scaleX = w / image.width;
  const scaleY = h / image.height;
  if (w === width && h === height) return { image: { data, width, height }, scaleX, scaleY, offsetX: 0, offsetY: 0 };
  const offsetX = opts.align === 'topleft' ? 0 : Math.floor((width - w) / 2);
  const offsetY = opts.align === 'topleft' ? 0 : Math.floor((height - h) / 2);
  const out = new Uint8Array(width * height * 3).fill(opts.fill ?? 0);
  for (let y = 0; y < h; y++) out.set(data.subarray(y * w * 3, (y + 1) * w * 3), ((y + offsetY) * width + offsetX) * 3);
  return { image: { data: out, width, height }, scaleX, scaleY, offsetX, offsetY };
}

/** Downscale so the longer side is at most `maxSide`; returns the factor applied (<= 1). */
export async function limitSide(image: RgbImage, maxSide: number): Promise<{ image: RgbImage; scale: number }> {
  const long = Math.max(image.width, image.height);
  if (long <= maxSide) return { image, scale: 1 };
  const s = maxSide / long;
  const r = await resizeImage(image, Math.max(1, Math.round(image.width * s)), Math.max(1, Math.round(image.height * s)));
  return { image: r.image, scale: r.scaleX };
}
