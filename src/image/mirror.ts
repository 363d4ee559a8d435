import type { RgbImage } from './types.js';

/** Rows of `channels`-interleaved pixels flipped left to right, in an array of the same type. */
export function mirrorPixels<T extends Uint8Array | Float32Array>(data: T, width: number, height: number, channels: number): T {
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = channels * (y * width + x);
      const d = channels * (y * width + (width - 1 - x));
      for (let c = 0; c < channels; c++) out[d + c] = data[s + c];
    }
  }
  return out;
}

/** The image flipped left to right: the cheap test-time augmentation of embedding and attribute models. */
export function mirror(img: RgbImage): RgbImage {
  return { data: mirrorPixels(img.data, img.width, img.height, 3), width: img.width, height: img.height };
}
