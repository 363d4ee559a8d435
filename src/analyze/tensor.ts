/**
 * Pixels -> model input: the image stage's toModelTensor (record-driven layout, channel order,
 * mean/std), plus the one-channel grey input some attribute models take (fr_eye).
 */
import type { ModelInput } from '../models/types.js';
import type { RgbImage } from '../image/types.js';
import type { TensorData } from '../runtime/session.js';
import { toModelTensor } from '../image/index.js';
import { toGrey } from './crop.js';

export function attributeTensor(image: RgbImage, input: ModelInput, grey = false): TensorData {
  if (!grey) return toModelTensor(image, input);
  const { width: W, height: H, layout, mean, std } = input;
  const g = toGrey(image);
  for (let i = 0; i < g.length; i++) g[i] = (g[i] - mean[0]) / std[0];
  return { data: g, dims: layout === 'NCHW' ? [1, 1, H, W] : [1, H, W, 1] };
}
