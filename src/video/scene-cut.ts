/**
 * Scene cuts: when the picture changes at once (an edited video cutting to another camera), every
 * face track ends, since a box that overlaps by chance across the cut would otherwise hand one
 * person's track to another. Each frame is reduced to a 32x18 grid of block mean luma (every
 * other pixel, so about a quarter of the frame is read) and compared with the previous frame's
 * grid; a mean absolute difference above the threshold (in 0..255 luma) is a cut. Camera motion and
 * people moving change a few blocks, a cut changes most of them. On the stage clip in shared/data
 * cuts measure 26-30 and motion at most 13, hence the default of 20.
 */
import type { RgbImage } from '../image/types.ts';

const GW = 32;
const GH = 18;

export function lumaGrid(img: RgbImage): Float32Array {
  const sums = new Float32Array(GW * GH);
  const counts = new Uint32Array(GW * GH);
  const { width: W, height: H, data } = img;
  for (let y = 0; y < H; y += 2) {
    const gy = Math.min(GH - 1, Math.floor((y * GH) / H));
    for (let x = 0; x < W; x += 2) {
      const i = 3 * (y * W + x);
      const g = gy * GW + Math.min(GW - 1, Math.floor((x * GW) / W));
      sums[g] += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      counts[g]++;
    }
  }
  for (let k = 0; k < sums.length; k++) sums[k] /= Math.max(1, counts[k]);
  return sums;
}

export class SceneCutDetector {
  private prev: Float32Array | null = null;
  constructor(private readonly threshold = 20) {}

  /** true when this frame starts a new scene (never for the first frame) */
  check(img: RgbImage): boolean {
    const grid = lumaGrid(img);
    const prev = this.prev;
    this.prev = grid;
    if (!prev) return false;
    let d = 0;
    for (let k = 0; k < grid.length; k++) d += Math.abs(grid[k] - prev[k]);
    return d / grid.length > this.threshold;
  }
}
