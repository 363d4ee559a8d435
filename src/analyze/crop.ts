/**
 * Box crops for the attribute models. Each model was trained on its own framing of the face
 * (SSR-Net on the box grown 1.4x, MiniFASNet-style liveness on 2.7x, ...), so the framing is data
 * (CropSpec in attribute-models.json) and this file only turns it into pixels.
 * Parts of the crop outside the image are filled with black, as the reference code's padding does.
 */
import sharp from 'sharp';
import type { Box } from '../face.ts';
import type { RgbImage } from '../image/types.ts';
import { FacekitError } from '../errors/index.ts';

export interface CropSpec {
  /** crop size = box size * scale (per axis) */
  scale: number;
  /** centre shift in units of the box width / height (e.g. 0.1 = a tenth of the box right/down) */
  offsetX?: number;
  offsetY?: number;
  /** make the crop square on the larger side before scaling */
  square?: boolean;
}

export function expandBox(box: Box, spec: CropSpec): Box {
  let w = box.w;
  let h = box.h;
  if (spec.square) w = h = Math.max(w, h);
  const cx = box.x + box.w / 2 + (spec.offsetX ?? 0) * box.w;
  const cy = box.y + box.h / 2 + (spec.offsetY ?? 0) * box.h;
  w *= spec.scale;
  h *= spec.scale;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/** The region `box` of `image` resampled to width x height (bilinear-ish, sharp's default kernel). */
export async function cropResize(image: RgbImage, box: Box, width: number, height: number): Promise<RgbImage> {
  if (!(box.w >= 1 && box.h >= 1) || ![box.x, box.y, box.w, box.h].every(Number.isFinite)) {
    throw new FacekitError('BAD_ARGUMENT', `face box ${JSON.stringify(box)} is empty or not finite`);
  }
  const left = Math.round(box.x);
  const top = Math.round(box.y);
  const w = Math.max(1, Math.round(box.w));
  const h = Math.max(1, Math.round(box.h));
  const padL = Math.max(0, -left);
  const padT = Math.max(0, -top);
  const padR = Math.max(0, left + w - image.width);
  const padB = Math.max(0, top + h - image.height);
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  let src = sharp(image.data, raw);
  let srcW = image.width;
  let srcH = image.height;
  if (padL || padT || padR || padB) {
    const padded = await src
      .extend({ left: padL, top: padT, right: padR, bottom: padB, background: { r: 0, g: 0, b: 0 } })
      .raw()
      .toBuffer();
    srcW = image.width + padL + padR;
    srcH = image.height + padT + padB;
    src = sharp(padded, { raw: { width: srcW, height: srcH, channels: 3 } });
  }
  const out = await src
    .extract({ left: left + padL, top: top + padT, width: Math.min(w, srcW), height: Math.min(h, srcH) })
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  return { data: new Uint8Array(out.buffer, out.byteOffset, out.length), width, height };
}

/** Rec. 601 luma per pixel, 0..255. */
export function toGrey(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const g = new Float32Array(n);
  const d = image.data;
  for (let i = 0; i < n; i++) g[i] = 0.299 * d[3 * i] + 0.587 * d[3 * i + 1] + 0.114 * d[3 * i + 2];
  return g;
}
