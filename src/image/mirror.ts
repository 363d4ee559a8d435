import type { RgbImage } from './types.ts';

/** The image flipped left to right: the cheap test-time augmentation of embedding and attribute models. */
export function mirror(img: RgbImage): RgbImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = 3 * (y * w + x);
      const d = 3 * (y * w + (w - 1 - x));
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { data: out, width: w, height: h };
}
