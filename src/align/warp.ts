/**
 * warpAffine: each output pixel is pulled from the source through the inverse matrix and sampled
 * bilinearly; samples off the image read the border fill (OpenCV's BORDER_CONSTANT), which is
 * what InsightFace's cv2.warpAffine crops were trained with.
 */
import { FacekitError } from '../errors/index.ts';
import type { RgbImage } from '../image/types.ts';
import { invertAffine, type Affine } from './affine.ts';

export interface WarpOptions {
  /** colour of pixels mapped from outside the source (default black) */
  fill?: [number, number, number];
}

/** `matrix` maps source coordinates to output coordinates (as cv2.warpAffine's M). */
export function warpAffine(image: RgbImage, matrix: Affine, outW: number, outH: number, opts: WarpOptions = {}): RgbImage {
  if (!(Number.isInteger(outW) && Number.isInteger(outH) && outW > 0 && outH > 0)) {
    throw new FacekitError('BAD_ARGUMENT', `warp output size must be positive integers, got ${outW}x${outH}`);
  }
  const [[a, b, tx], [c, d, ty]] = invertAffine(matrix);
  const { data: src, width: W, height: H } = image;
  const fill = opts.fill ?? [0, 0, 0];
  const out = new Uint8Array(outW * outH * 3);
  const px = (x: number, y: number, ch: number) => (x >= 0 && y >= 0 && x < W && y < H ? src[(y * W + x) * 3 + ch] : fill[ch]);
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      const x = a * u + b * v + tx;
      const y = c * u + d * v + ty;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const o = (v * outW + u) * 3;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const i00 = (y0 * W + x0) * 3, i01 = i00 + 3, i10 = i00 + W * 3, i11 = i10 + 3;
        for (let ch = 0; ch < 3; ch++) {
          const top = src[i00 + ch] + (src[i01 + ch] - src[i00 + ch]) * fx;
          const bot = src[i10 + ch] + (src[i11 + ch] - src[i10 + ch]) * fx;
          out[o + ch] = Math.round(top + (bot - top) * fy);
        }
      } else if (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H) {
        for (let ch = 0; ch < 3; ch++) {
          const top = px(x0, y0, ch) + (px(x0 + 1, y0, ch) - px(x0, y0, ch)) * fx;
          const bot = px(x0, y0 + 1, ch) + (px(x0 + 1, y0 + 1, ch) - px(x0, y0 + 1, ch)) * fx;
          out[o + ch] = Math.round(top + (bot - top) * fy);
        }
      } else {
        out[o] = fill[0];
        out[o + 1] = fill[1];
        out[o + 2] = fill[2];
      }
    }
  }
  return { data: out, width: outW, height: outH };
}
