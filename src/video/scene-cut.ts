/**
 * Scene cuts: when the picture changes at once (an edited video cutting to another camera), every
 * face track ends, since a box that overlaps by chance across the cut would otherwise hand one
 * person's track to another. Each frame is reduced to a 32x18 grid of block mean luma (sampled
 * every few pixels, see lumaGrid) and compared with the previous frame's
 * grid; a mean absolute difference above the threshold (in 0..255 luma) is a cut. Camera motion and
 * people moving change a few blocks, a cut changes most of them. On the stage clip in shared/data
 * cuts measure 26-30 and motion at most 13, hence the default of 20.
 */
import type { RgbImage } from '../image/types.js';

const GW = 32;
const GH = 18;

/**
 * Pixels are sampled on a grid of about STEP px (every 4th row and column at 720p: 1/16 of the
 * frame, still ~100 samples per block), with the column-to-block map computed once per row width:
 * this runs on every frame, and reading every other pixel cost ~7 ms per 1280x720 frame.
 */
const STEP = 4;

export function lumaGrid(img: RgbImage): Float32Array {
  const sums = new Float32Array(GW * GH);
  const counts = new Uint32Array(GW * GH);
  const { width: W, height: H, data } = img;
  const step = Math.max(1, Math.min(STEP, Math.floor(Math.min(W / GW, H / GH) / 2)));
  const cols: number[] = [];
  const colBlock: number[] = [];
  for (let x = step >> 1; x < W; x += step) {
    cols.push(3 * x);
    colBlock.push(Math.min(GW - 1, Math.floor((x * GW) / W)));
  }
  const nc = cols.length;
  for (let y = step >> 1; y < H; y += step) {
    const row = Math.min(GH - 1, Math.floor((y * GH) / H)) * GW;
    const base = 3 * y * W;
    for (let c = 0; c < nc; c++) {
      const i = base + cols[c];
      const g = row + colBlock[c];
      // integer BT.601 luma (weights 77, 150, 29 of 256)
      sums[g] += (77 * data[i] + 150 * data[i + 1] + 29 * data[i + 2]) >> 8;
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
