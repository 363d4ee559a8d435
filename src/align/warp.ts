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

/**
 * k x k box average of the source region [x0, x0 + k*w) x [y0, y0 + k*h), clamped at the edges.
 * Column sums per output column, then rows: each source pixel is read once.
 */
function boxShrink(image: RgbImage, x0: number, y0: number, w: number, h: number, k: number): RgbImage {
  const src = image.data, W = image.width, H = image.height;
  const out = new Uint8Array(w * h * 3);
  const sums = new Float64Array(w * 3);
  const counts = new Int32Array(w);
  // the output columns' source ranges, clamped
  const xa = new Int32Array(w), xb = new Int32Array(w);
  for (let i = 0; i < w; i++) { xa[i] = Math.max(0, x0 + i * k); xb[i] = Math.min(W, x0 + i * k + k); }
  for (let j = 0; j < h; j++) {
    const ys = y0 + j * k;
    const ya = Math.max(0, ys), yb = Math.min(H, ys + k);
    sums.fill(0);
    for (let i = 0; i < w; i++) counts[i] = xb[i] > xa[i] && yb > ya ? (xb[i] - xa[i]) * (yb - ya) : 0;
    for (let y = ya; y < yb; y++) {
      const rowBase = y * W * 3;
      for (let i = 0; i < w; i++) {
        let r = 0, g = 0, b = 0;
        for (let o = rowBase + xa[i] * 3, e = rowBase + xb[i] * 3; o < e; o += 3) { r += src[o]; g += src[o + 1]; b += src[o + 2]; }
        sums[3 * i] += r; sums[3 * i + 1] += g; sums[3 * i + 2] += b;
      }
    }
    for (let i = 0; i < w; i++) {
      const n = counts[i];
      if (n === 0) continue;
      const o = (j * w + i) * 3;
      out[o] = Math.round(sums[3 * i] / n); out[o + 1] = Math.round(sums[3 * i + 1] / n); out[o + 2] = Math.round(sums[3 * i + 2] / n);
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
  const fill = opts.fill ?? [0, 0, 0];
  return bilinear(image.data, image.width, image.height, inv, outW, outH, fill[0], fill[1], fill[2]);
}

/**
 * The bilinear pull through `inv` (output -> source). Kept apart from warpAffine's option handling
 * so it sees one shape of arguments: it is the inner loop of every crop facekit takes.
 */
function bilinear(src: Uint8Array, W: number, H: number, inv: Affine, outW: number, outH: number, f0: number, f1: number, f2: number): RgbImage {
  const [[a, b, tx], [c, d, ty]] = inv;
  const out = new Uint8Array(outW * outH * 3);
  const row = W * 3;
  let o = 0;
  for (let v = 0; v < outH; v++) {
    const rowX = b * v + tx, rowY = d * v + ty;
    for (let u = 0; u < outW; u++, o += 3) {
      const x = a * u + rowX;
      const y = c * u + rowY;
      if (x >= 0 && y >= 0 && x < W - 1 && y < H - 1) {
        // inside: the four neighbours exist; one weight per neighbour is about twice as fast as
        // two lerps and rounded the same on the 12.9M samples compared when it was written
        const x0 = x | 0, y0 = y | 0;
        const fx = x - x0, fy = y - y0;
        const i00 = (y0 * W + x0) * 3, i10 = i00 + row;
        const w11 = fx * fy, w10 = fy - w11, w01 = fx - w11, w00 = 1 - fx - fy + w11;
        out[o] = Math.round(src[i00] * w00 + src[i00 + 3] * w01 + src[i10] * w10 + src[i10 + 3] * w11);
        out[o + 1] = Math.round(src[i00 + 1] * w00 + src[i00 + 4] * w01 + src[i10 + 1] * w10 + src[i10 + 4] * w11);
        out[o + 2] = Math.round(src[i00 + 2] * w00 + src[i00 + 5] * w01 + src[i10 + 2] * w10 + src[i10 + 5] * w11);
        continue;
      }
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      if (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H) {
        // at the border: samples off the image read the fill
        const in0 = y0 >= 0, in1 = y0 + 1 < H, jn0 = x0 >= 0, jn1 = x0 + 1 < W;
        for (let ch = 0; ch < 3; ch++) {
          const fc = ch === 0 ? f0 : ch === 1 ? f1 : f2;
          const s00 = in0 && jn0 ? src[(y0 * W + x0) * 3 + ch] : fc;
          const s01 = in0 && jn1 ? src[(y0 * W + x0 + 1) * 3 + ch] : fc;
          const s10 = in1 && jn0 ? src[((y0 + 1) * W + x0) * 3 + ch] : fc;
          const s11 = in1 && jn1 ? src[((y0 + 1) * W + x0 + 1) * 3 + ch] : fc;
          const top = s00 + (s01 - s00) * fx;
          const bot = s10 + (s11 - s10) * fx;
          out[o + ch] = Math.round(top + (bot - top) * fy);
        }
      } else {
        out[o] = f0;
        out[o + 1] = f1;
        out[o + 2] = f2;
      }
    }
  }
  return { data: out, width: outW, height: outH };
}
