/**
 * SSD-MobileNetV1 (face-api's `faceapi-ssd`, 512x512): the compiled graph stops before anchor
 * decoding; it gives raw box encodings (ty, tx, th, tw) [1,5118,4] and face scores [1,5118]
 * (sigmoid already applied). Anchors are face-api's own weight `Output/extra_dim`, corner form
 * (ymin, xmin, ymax, xmax) normalised to the input; decoding (face-api's outputLayer.ts,
 * variances 10, 10, 5, 5) is the model builder's decodeSsdBoxes. Input padded to a square at
 * the right/bottom as face-api does.
 */
import { resizeImage, toModelTensor } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { decodeSsdBoxes, ssdAnchors } from './ssd-decode.js';
import { readFaceApiWeights, WeightStore } from '../models/faceapi/weights.js';
import { getModelRecord, loadModel } from '../models/index.js';
import { packageFile } from '../models/package-files.js';
import { nms } from './nms.js';
import { outputByShape } from './outputs.js';
import type { Detector, DetectorRunOptions, RawDetection } from './types.js';

export const SSD_ANCHORS = 5118;

let anchorCache: Float32Array | undefined;

/** face-api's anchor table, read from its weights by the face-api model builder's reader. */
export function loadSsdAnchors(): Float32Array {
  if (anchorCache) return anchorCache;
  const record = getModelRecord('faceapi-ssd');
  const manifest = packageFile(record.source.package, record.source.file);
  anchorCache = ssdAnchors(new WeightStore(readFaceApiWeights(manifest, record.id), record.id));
  return anchorCache;
}

/** Encodings [N,4] + scores [N] + anchors [N,4] -> detections in pixels of a `size` x `size` input. */
export function decodeSsd(encodings: Float32Array, scores: Float32Array, anchors: Float32Array, size: number, scoreThreshold: number): RawDetection[] {
  const boxes = decodeSsdBoxes(encodings, anchors);
  const out: RawDetection[] = [];
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i];
    if (score < scoreThreshold) continue;
    const [by0, bx0, by1, bx1] = boxes.subarray(4 * i, 4 * i + 4);
    // face-api clamps to the input before scaling
    const y0 = Math.max(0, by0), x0 = Math.max(0, bx0);
    const y1 = Math.min(1, by1), x1 = Math.min(1, bx1);
    if (x1 <= x0 || y1 <= y0) continue;
    out.push({ box: { x: x0 * size, y: y0 * size, w: (x1 - x0) * size, h: (y1 - y0) * size }, score });
  }
  return out;
}

export const ssdMobilenet: Detector = {
  id: 'faceapi-ssd',
  models: ['faceapi-ssd', 'fr_landmark'],
  // face-api's 0.5 misses 4 of the 46 crowd faces; 0.3 finds all with 2 strays (bench/detect.ts)
  defaults: { scoreThreshold: 0.3, iouThreshold: 0.5, maxSide: 1280 },
  async run(image: RgbImage, opts: DetectorRunOptions): Promise<RawDetection[]> {
    const { record, session } = await loadModel('faceapi-ssd');
    const size = record.input.width;
    const lb = await resizeImage(image, size, size, { letterbox: true, align: 'topleft' });
    const out = await session.run({ [record.input.name]: toModelTensor(lb.image, record.input) });
    const enc = outputByShape(out, record.id, (d) => d[d.length - 1] === 4 && d[d.length - 2] === SSD_ANCHORS, `[1,${SSD_ANCHORS},4]`);
    const scores = outputByShape(out, record.id, (d) => d[d.length - 1] === SSD_ANCHORS || (d[d.length - 1] === 1 && d[d.length - 2] === SSD_ANCHORS), `[1,${SSD_ANCHORS}]`);
    const found = nms(decodeSsd(enc, scores, loadSsdAnchors(), size, opts.scoreThreshold), opts);
    return found.map((d) => ({
      ...d,
      box: { x: d.box.x / lb.scaleX, y: d.box.y / lb.scaleY, w: d.box.w / lb.scaleX, h: d.box.h / lb.scaleY },
    }));
  },
};
