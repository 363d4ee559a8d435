import type { WeightStore } from '../models/faceapi/weights.js';

/**
 * SSD anchor decoding for faceapi-ssd, kept out of the graph so the detection stage owns
 * thresholds and NMS. The 5118 anchors are not regenerated from SSD scale/aspect parameters:
 * face-api ships them as the weight `Output/extra_dim` [1, 5118, 4], corner form
 * (ymin, xmin, ymax, xmax), normalised to the 512x512 input, in the graph's output order.
 */
export const SSD_ANCHOR_COUNT = 5118;

export function ssdAnchors(w: WeightStore): Float32Array {
  return Float32Array.from(w.get('Output/extra_dim', [1, SSD_ANCHOR_COUNT, 4]).data);
}

/**
 * face-api's decodeBoxesLayer: encodings (ty, tx, th, tw) with variances 10, 10, 5, 5 against
 * corner-form anchors -> boxes (ymin, xmin, ymax, xmax), normalised to the network input.
 */
export function decodeSsdBoxes(encodings: ArrayLike<number>, anchors: ArrayLike<number>): Float32Array {
  const n = anchors.length / 4;
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const [ay0, ax0, ay1, ax1] = [anchors[4 * i], anchors[4 * i + 1], anchors[4 * i + 2], anchors[4 * i + 3]];
    const h = ay1 - ay0;
    const w = ax1 - ax0;
    const cy = (encodings[4 * i] / 10) * h + (ay0 + h / 2);
    const cx = (encodings[4 * i + 1] / 10) * w + (ax0 + w / 2);
    const hh = (Math.exp(encodings[4 * i + 2] / 5) * h) / 2;
    const hw = (Math.exp(encodings[4 * i + 3] / 5) * w) / 2;
    out[4 * i] = cy - hh;
    out[4 * i + 1] = cx - hw;
    out[4 * i + 2] = cy + hh;
    out[4 * i + 3] = cx + hw;
  }
  return out;
}
