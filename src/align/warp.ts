/**
 * warpAffine: each output pixel is pulled from the source through the inverse matrix and sampled
 * bilinearly; samples off the image read the border fill (OpenCV's BORDER_CONSTANT), which is
 * what InsightFace's cv2.warpAffine crops were trained with.
 */
import { FacekitError } from '../errors/index.js';
import type { RgbImage } from '../image/types.js';
import { invertAffine, type Affine } from './affine.js';

export interface WarpOptions {
  /** colour of pixels mapped from outside the source (default black) */
  fill?: [number, number, number];
  /**
   * when shrinking by 2x or more, box-average the source first so fine detail does not alias
   * (a 600-pixel face warped to 112 would otherwise sample one pixel in five; default true)
   */
  antialias?: boolean;
}

/** k x k box average of the source region [x0, x0 + k*w) x [y0, y0 + k*h), clamped at the edges. */
function boxShrink(image: RgbImage, x0: number, y0: number, w: number, h: number, k: number): RgbImage {
  const { data: src, width: W, height: H } = image;
  const out = new Uint8Array(w * h * 3);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      let r = 0, g = 0, b = 0, n = 0;
      const ys = y0 + j * k, xs = x0 + i * k;
      for (let y = Math.max(0, ys); y < Math.min(H, ys + k); y++) {
        for (let x = Math.max(0, xs); x < Math.min(W, xs + k); x++) {
          const o = (y * W + x) * 3;
          r += src[o]; g += src[o + 1]; b += src[o + 2]; n++;
        }
      }
      const o = (j * w + i) * 3;
      if (n) { out[o] = Math.round(r / n); out[o + 1] = Math.round(g / n); out[o + 2] = Math.round(b / n); }
    }
  }
  return { data: out, width: w, height: h };
}

/** `matrix` maps source coordinates to output coordinates (as cv2.warpAffine's M). */
export function warpAffine(image: RgbImage, matrix: Affine, outW: number, outH: number, opts: WarpOptions = {}): RgbImage {
  if (!(Number.isInteger(outW) && Number.isInteger(outH) && outW > 0 && outH > 0)) {
    throw new FacekitError('BAD_ARGUMENT', `warp output size must be positive integers, got ${outW}x${outH}`);
  }
  const inv = invertAffine(matrix);
  const scale = Math.sqrt(Math.abs(matrix[0][0] * matrix[1][1] - matrix[0][1] * matrix[1][0]));
  const k = Math.floor(1 / scale);
  if (opts.antialias !== false && k >= 2) {
    // the source area the output reads, shrunk k times; the matrix is re-based onto it
    const corners = [[0, 0], [outW - 1, 0], [0, outH - 1], [outW - 1, outH - 1]].map(([u, v]) => [inv[0][0] * u + inv[0][1] * v + inv[0][2], inv[1][0] * u + inv[1][1] * v + inv[1][2]]);
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))) - k);
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))) - k);
    const x1 = Math.min(image.width, Math.ceil(Math.max(...corners.map((p) => p[0]))) + 2 * k);
    const y1 = Math.min(image.height, Math.ceil(Math.max(...corners.map((p) => p[1]))) + 2 * k);
    if (x1 - x0 >= k && y1 - y0 >= k) {
      const small = boxShrink(image, x0, y0, Math.ceil((x1 - x0) / k), Math.ceil((y1 - y0) / k), k);
      // small pixel (i, j) is centred on source (x0 + k i + (k-1)/2, y0 + k j + (k-1)/2)
      const [[a, b, tx], [c, d, ty]] = matrix;
      const ox = x0 + (k - 1) / 2, oy = y0 + (k - 1) / 2;
      const rebased: Affine = [[a * k, b * k, a * ox + b * oy + tx], [c * k, d * k, c * ox + d * oy + ty]];
      return warpAffine(small, rebased, outW, outH, { ...opts, antialias: false });
    }
  }
  const [[a, b, tx], [c, d, ty]] = inv;
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
