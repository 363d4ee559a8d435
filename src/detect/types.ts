import type { Point } from '../face.js';
import type { RgbImage } from '../image/types.js';
import type { Candidate } from './nms.js';

export interface DetectorRunOptions {
  scoreThreshold: number;
  iouThreshold: number;
  /** also search overlapping tiles for faces too small for one pass (detectors may ignore it) */
  tiles?: boolean;
}

/** A detector's output before landmark completion, in pixels of the image it was given. */
export interface RawDetection extends Candidate {
  /** the detector's own keypoints (BlazeFace: 6), if any */
  keypoints?: Point[];
}

/**
 * One face detector: a model record id plus its own prior/anchor generation and decoding.
 * `run` does preprocessing, inference, decoding and NMS on the image it is handed.
 */
export interface Detector {
  id: string;
  /** registry ids of the models it needs (for listing and prebuilding) */
  models: string[];
  defaults: DetectorRunOptions & {
    /** longest image side the detector runs on; larger images are downscaled first */
    maxSide: number;
  };
  run(image: RgbImage, opts: DetectorRunOptions): Promise<RawDetection[]>;
}
