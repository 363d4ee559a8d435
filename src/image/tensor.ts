/**
 * The one conversion from pixels to a model's input tensor, driven by the model's record:
 * layout (NHWC/NCHW), channel order (RGB/BGR) and (pixel - mean) / std per channel. Several
 * images of the input size become one batch.
 */
import { FacekitError } from '../errors/index.js';
import type { ModelInput } from '../models/types.js';
import type { RgbImage } from './types.js';

export interface ModelTensor {
  data: Float32Array;
  dims: [number, number, number, number];
}

export function toModelTensor(images: RgbImage | RgbImage[], input: ModelInput): ModelTensor {
  const list = Array.isArray(images) ? images : [images];
  const { width: W, height: H, layout, channels, mean, std } = input;
  const plane = W * H;
  const out = new Float32Array(list.length * plane * 3);
  // channel c of the tensor reads source channel order[c]
  const order = channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const inv = std.map((s) => 1 / s);
  list.forEach((img, n) => {
    if (img.width !== W || img.height !== H) {
      throw new FacekitError('BAD_ARGUMENT', `model input ${input.name} expects ${W}x${H} images, got ${img.width}x${img.height} (resize first)`);
    }
    writePixels(img.data, out, n * plane * 3, plane, layout === 'NCHW', order, mean, inv);
  });
  const dims: ModelTensor['dims'] = layout === 'NCHW' ? [list.length, 3, H, W] : [list.length, H, W, 3];
  return { data: out, dims };
}

/**
 * One pass over the pixels per image, all three channels at once; every call has the same
 * argument shapes, so the loop stays optimised whichever model asks.
 */
function writePixels(d: Uint8Array, out: Float32Array, base: number, plane: number, planar: boolean, order: readonly number[], mean: readonly number[], inv: readonly number[]): void {
  const s0 = order[0], s1 = order[1], s2 = order[2];
  const m0 = mean[0], m1 = mean[1], m2 = mean[2];
  const k0 = inv[0], k1 = inv[1], k2 = inv[2];
  if (planar) {
    const o1 = base + plane, o2 = base + 2 * plane;
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      out[base + i] = (d[p + s0] - m0) * k0;
      out[o1 + i] = (d[p + s1] - m1) * k1;
      out[o2 + i] = (d[p + s2] - m2) * k2;
    }
  } else {
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      const o = base + p;
      out[o] = (d[p + s0] - m0) * k0;
      out[o + 1] = (d[p + s1] - m1) * k1;
      out[o + 2] = (d[p + s2] - m2) * k2;
    }
  }
}
