/**
 * Pixels -> model input, driven by the record (layout, channel order, (pixel - mean) / std).
 * Mirrors src/image/tensor.ts of the pipeline branch (same name and arguments) so the switch to it
 * is an import change; `grey` adds the one-channel input some attribute models take (fr_eye).
 */
import type { ModelInput } from '../models/types.ts';
import type { RgbImage } from '../image/types.ts';
import type { TensorData } from '../runtime/session.ts';
import { FacekitError } from '../errors/index.ts';
import { toGrey } from './crop.ts';

export function toModelTensor(image: RgbImage, input: ModelInput, grey = false): TensorData {
  const { width: W, height: H, layout, channels, mean, std } = input;
  if (image.width !== W || image.height !== H) {
    throw new FacekitError('INTERNAL', `model input ${input.name} expects ${W}x${H}, got ${image.width}x${image.height}`);
  }
  const plane = W * H;
  if (grey) {
    const g = toGrey(image);
    for (let i = 0; i < plane; i++) g[i] = (g[i] - mean[0]) / std[0];
    return { data: g, dims: layout === 'NCHW' ? [1, 1, H, W] : [1, H, W, 1] };
  }
  const out = new Float32Array(plane * 3);
  const order = channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const d = image.data;
  for (let c = 0; c < 3; c++) {
    const src = order[c];
    const m = mean[c];
    const k = 1 / std[c];
    if (layout === 'NCHW') for (let i = 0; i < plane; i++) out[c * plane + i] = (d[3 * i + src] - m) * k;
    else for (let i = 0; i < plane; i++) out[3 * i + c] = (d[3 * i + src] - m) * k;
  }
  return { data: out, dims: layout === 'NCHW' ? [1, 3, H, W] : [1, H, W, 3] };
}
