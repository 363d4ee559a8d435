/** Decoded pixels as every stage sees them: 8-bit RGB, interleaved, row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}
