/**
 * SSD-MobileNetV1 (face-api's `faceapi-ssd`, 512x512): the compiled graph stops before anchor
 * decoding; it gives raw box encodings (ty, tx, th, tw) [1,5118,4] and face scores [1,5118]
 * (sigmoid already applied). Anchors are face-api's own weight `Output/extra_dim`, corner form
 * (ymin, xmin, ymax, xmax) normalised to the input. Decoding as face-api's outputLayer.ts
 * (variances 10, 10, 5, 5); input padded to a square at the right/bottom as face-api does.
 */
import { readFileSync } from 'node:fs';
import { FacekitError } from '../errors/index.ts';
import { resizeImage, toModelTensor } from '../image/index.ts';
import type { RgbImage } from '../image/types.ts';
import { loadModel } from '../models/index.ts';
import { packageFile } from '../models/package-files.ts';
import { nms } from './nms.ts';
import { outputByShape } from './outputs.ts';
import type { Detector, DetectorRunOptions, RawDetection } from './types.ts';

export const SSD_ANCHORS = 5118;

interface ManifestWeight { name: string; shape: number[]; dtype: string; quantization?: { dtype: 'uint8' | 'uint16' | 'float16' } }

let anchorCache: Float32Array | undefined;

/** face-api's anchor table, read straight from its weights file. */
export function loadSsdAnchors(): Float32Array {
  if (anchorCache) return anchorCache;
  const manifestPath = packageFile('@vladmandic/face-api', 'model/ssd_mobilenetv1_model-weights_manifest.json');
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as { paths: string[]; weights: ManifestWeight[] }[];
  for (const g of groups) {
    let offset = 0;
    for (const w of g.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const bytes = w.quantization ? (w.quantization.dtype === 'uint8' ? 1 : 2) : 4;
      if (w.name === 'Output/extra_dim') {
        if (w.quantization || w.dtype !== 'float32' || count !== SSD_ANCHORS * 4) {
          throw new FacekitError('MODEL_SOURCE_CORRUPT', `face-api SSD anchors: unexpected ${w.dtype} ${JSON.stringify(w.shape)}`);
        }
        const bin = readFileSync(packageFile('@vladmandic/face-api', `model/${g.paths[0]}`));
        if (bin.length < offset + count * 4) throw new FacekitError('MODEL_SOURCE_CORRUPT', 'face-api SSD weights file is truncated');
        const copy = new Uint8Array(bin.subarray(offset, offset + count * 4));
        anchorCache = new Float32Array(copy.buffer);
        return anchorCache;
      }
      offset += count * bytes;
    }
  }
  throw new FacekitError('MODEL_SOURCE_CORRUPT', 'face-api SSD manifest has no Output/extra_dim anchors');
}

/** Encodings [N,4] + scores [N] + anchors [N,4] -> detections in pixels of a `size` x `size` input. */
export function decodeSsd(encodings: Float32Array, scores: Float32Array, anchors: Float32Array, size: number, scoreThreshold: number): RawDetection[] {
  const out: RawDetection[] = [];
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i];
    if (score < scoreThreshold) continue;
    const ay0 = anchors[4 * i], ax0 = anchors[4 * i + 1], ay1 = anchors[4 * i + 2], ax1 = anchors[4 * i + 3];
    const ah = ay1 - ay0;
    const aw = ax1 - ax0;
    const cy = (encodings[4 * i] / 10) * ah + ay0 + ah / 2;
    const cx = (encodings[4 * i + 1] / 10) * aw + ax0 + aw / 2;
    const h = Math.exp(encodings[4 * i + 2] / 5) * ah;
    const w = Math.exp(encodings[4 * i + 3] / 5) * aw;
    // face-api clamps to the input before scaling
    const y0 = Math.max(0, cy - h / 2), x0 = Math.max(0, cx - w / 2);
    const y1 = Math.min(1, cy + h / 2), x1 = Math.min(1, cx + w / 2);
    if (x1 <= x0 || y1 <= y0) continue;
    out.push({ box: { x: x0 * size, y: y0 * size, w: (x1 - x0) * size, h: (y1 - y0) * size }, score });
  }
  return out;
}

export const ssdMobilenet: Detector = {
  id: 'faceapi-ssd',
  models: ['faceapi-ssd', 'fr_landmark'],
  defaults: { scoreThreshold: 0.5, iouThreshold: 0.5, maxSide: 1280 },
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
