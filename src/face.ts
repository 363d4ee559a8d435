/**
 * The face record that flows through every stage: detection fills box, score and the five
 * landmarks; later stages add to it (crop, embedding, attributes, quality, spoof) and never
 * rebuild it. Coordinates are pixels of the original, EXIF-rotated image.
 */
import type { RgbImage } from './image/types.js';
import { roundBox, roundMeasure, roundPoint } from './rounding.js';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Point = [number, number];

/** Order of `landmarks5`: left eye, right eye (as seen in the image), nose tip, left and right mouth corner. */
export type Landmarks5 = [Point, Point, Point, Point, Point];

export interface FaceEmbedding {
  model: string;
  vector: Float32Array;
}

export interface Face {
  box: Box;
  score: number;
  landmarks5: Landmarks5;
  /** detector that produced the face */
  detector?: string;
  /** dense landmarks (68 points or a mesh) when a landmark model ran */
  landmarks?: Point[];
  /** aligned crop fed to the recognition model */
  crop?: RgbImage;
  embedding?: FaceEmbedding;
  attributes?: Record<string, unknown>;
  /** face image quality for recognition (src/analyze/quality.ts); the pipeline's findFaces sets it */
  quality?: QualitySummary;
  spoof?: { isReal: boolean; score: number; model: string };
}

/** How readable a face is for recognition: a score in 0..1 and the failing cues, worst first. */
export interface QualitySummary {
  score: number;
  /** e.g. 'blurred', 'too dark', 'profile', 'eyes covered'; empty when every cue is fine */
  reasons: string[];
}

/**
 * A face as every shell shows it: library results (verify, identify), the CLI's --json, the REST
 * bodies and the web page all carry these fields under these names, rounded by summarizeFace.
 */
export interface FaceSummary {
  box: Box;
  /** detector confidence, 0-1 */
  score: number;
  landmarks5: Landmarks5;
  detector?: string;
  /** face image quality (score 0-1, failing cues); set on every face the pipeline finds */
  quality?: QualitySummary;
}

/** The face's output record: box and points to 0.1 px, score to 4 decimals (see rounding.ts). */
export function summarizeFace(f: Face): FaceSummary {
  return {
    box: roundBox(f.box),
    score: roundMeasure(f.score),
    landmarks5: f.landmarks5.map(roundPoint) as Landmarks5,
    ...(f.detector ? { detector: f.detector } : {}),
    ...(f.quality ? { quality: { score: roundMeasure(f.quality.score), reasons: [...f.quality.reasons] } } : {}),
  };
}
