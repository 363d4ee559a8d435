/**
 * The face record that flows through every stage: detection fills box, score and the five
 * landmarks; later stages add to it (crop, embedding, attributes, quality, spoof) and never
 * rebuild it. Coordinates are pixels of the original, EXIF-rotated image.
 */
import type { RgbImage } from './image/types.js';

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
  quality?: { score: number; [k: string]: unknown };
  spoof?: { isReal: boolean; score: number; model: string };
}
