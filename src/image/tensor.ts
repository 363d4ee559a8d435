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
    const base = n * plane * 3;
    const d = img.data;
    for (let c = 0; c < 3; c++) {
      const src = order[c];
      const m = mean[c];
      const k = inv[c];
      if (layout === 'NCHW') {
        const o = base + c * plane;
        for (let i = 0; i < plane; i++) out[o + i] = (d[3 * i + src] - m) * k;
      } else {
        for (let i = 0; i < plane; i++) out[base + 3 * i + c] = (d[3 * i + src] - m) * k;
      }
    }
  });
  const dims: ModelTensor['dims'] = layout === 'NCHW' ? [list.length, 3, H, W] : [list.length, H, W, 3];
  return { data: out, dims };
}
