import type { DetectOptions } from '../detect/index.js';
import type { LoadImageOptions } from '../image/index.js';

/** Options every library call that starts from an image accepts. */
export interface FaceOptions extends DetectOptions, LoadImageOptions {
  /** recognition model id (default DEFAULT_EMBED_MODEL) */
  model?: string;
  /** false: a plain square crop around the box instead of the landmark warp (default true) */
  align?: boolean;
  /** false: the image is already one face crop aligned to the ArcFace template (default true) */
  detect?: boolean;
  /** embed the mirrored crop too and average (default false) */
  flip?: boolean;
  /** a head file from `facekit train`: applied to every embedding (needs its base model) */
  head?: string;
  /** ORT intra-op threads */
  threads?: number;
}
