/**
 * Non-maximum suppression over scored candidates: drop those under the score threshold, keep the
 * best, drop what overlaps it past the IoU threshold, repeat. The weighted variant (MediaPipe's
 * BlazeFace post-processing) replaces each kept box by the score-weighted mean of the cluster it
 * suppressed, which steadies boxes and landmarks of anchor-dense detectors.
 */
import type { Box, Point } from '../face.js';
import { iou } from './iou.js';

export interface Candidate {
  box: Box;
  score: number;
  landmarks?: Point[];
}

export interface NmsOptions {
  scoreThreshold?: number;
  iouThreshold?: number;
  maxResults?: number;
}

function sortedAbove<T extends Candidate>(items: readonly T[], scoreThreshold: number): T[] {
  return items.filter((c) => c.score >= scoreThreshold).sort((a, b) => b.score - a.score);
}

export function nms<T extends Candidate>(items: readonly T[], opts: NmsOptions = {}): T[] {
  const { scoreThreshold = 0, iouThreshold = 0.3, maxResults = Infinity } = opts;
  const rest = sortedAbove(items, scoreThreshold);
  const kept: T[] = [];
  const dropped = new Uint8Array(rest.length);
  for (let i = 0; i < rest.length && kept.length < maxResults; i++) {
    if (dropped[i]) continue;
    kept.push(rest[i]);
    for (let j = i + 1; j < rest.length; j++) if (!dropped[j] && iou(rest[i].box, rest[j].box) > iouThreshold) dropped[j] = 1;
  }
  return kept;
}

export function weightedNms<T extends Candidate>(items: readonly T[], opts: NmsOptions = {}): T[] {
  const { scoreThreshold = 0, iouThreshold = 0.3, maxResults = Infinity } = opts;
  const rest = sortedAbove(items, scoreThreshold);
  const kept: T[] = [];
  const used = new Uint8Array(rest.length);
  for (let i = 0; i < rest.length && kept.length < maxResults; i++) {
    if (used[i]) continue;
    const best = rest[i];
    const cluster: T[] = [];
    for (let j = i; j < rest.length; j++) {
      if (!used[j] && (j === i || iou(best.box, rest[j].box) > iouThreshold)) {
        used[j] = 1;
        cluster.push(rest[j]);
      }
    }
    const total = cluster.reduce((s, c) => s + c.score, 0);
    const avg = (f: (c: T) => number) => cluster.reduce((s, c) => s + f(c) * c.score, 0) / total;
    const box: Box = { x: avg((c) => c.box.x), y: avg((c) => c.box.y), w: avg((c) => c.box.w), h: avg((c) => c.box.h) };
    const landmarks = best.landmarks?.map((_, k) => [avg((c) => c.landmarks![k][0]), avg((c) => c.landmarks![k][1])] as Point);
    kept.push({ ...best, box, ...(landmarks ? { landmarks } : {}) });
  }
  return kept;
}
