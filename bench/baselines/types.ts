import type { RgbImage } from '../../src/image/types.ts';

/** Another face library run in-process on the same pixels, for side-by-side benchmarks. */
export interface BaselineFace {
  box: { x: number; y: number; w: number; h: number };
  score: number;
  descriptor: Float32Array;
}

export interface Baseline {
  name: string;
  /** distance the library itself uses between descriptors (for verification accuracy) */
  metric: 'cosine' | 'euclidean';
  init(): Promise<void>;
  describe(image: RgbImage): Promise<BaselineFace[]>;
}
