/**
 * The precision every result leaves the library with (its records, the CLI's --json, REST bodies),
 * defined once. Detectors place boxes and points to a fraction of a pixel at best, and a distance
 * or probability past the fourth decimal changes no decision a reader makes, so more digits are
 * noise (0.30000000000000004). Embedding vectors are never rounded: they are data, not readings.
 */
import type { Box, Point } from './face.js';

/** Pixel coordinates and sizes: 0.1 px. */
export function roundPixels(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A box, each coordinate and side to 0.1 px. */
export function roundBox(b: Box): Box {
  return { x: roundPixels(b.x), y: roundPixels(b.y), w: roundPixels(b.w), h: roundPixels(b.h) };
}

/** A point, both coordinates to 0.1 px. */
export function roundPoint([x, y]: readonly [number, number]): Point {
  return [roundPixels(x), roundPixels(y)];
}

/** Scores, distances, thresholds, confidences: 4 decimals. */
export function roundMeasure(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
