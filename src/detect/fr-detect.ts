/**
 * fr_detect: Ultra-Light-Fast-Generic-Face-Detector (faceplugin's ONNX export). The whole image is
 * stretched to 320x240; the graph already decodes its 4420 priors into normalised corner boxes,
 * so only thresholding and NMS remain. No landmarks: detectFaces adds them with fr_landmark.
 */
import type { Box } from '../face.js';
import { cropBox, resizeImage, toModelTensor } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { loadModel } from '../models/index.js';
import { nms } from './nms.js';
import type { Detector, DetectorRunOptions, RawDetection } from './types.js';

/** Scores [N,2] (background, face) and corner boxes [N,4] normalised -> candidates in pixels. */
export function decodeUltraLight(scores: Float32Array, boxes: Float32Array, width: number, height: number, scoreThreshold: number): RawDetection[] {
  const out: RawDetection[] = [];
  const n = scores.length / 2;
  for (let i = 0; i < n; i++) {
    const score = scores[2 * i + 1];
    if (score < scoreThreshold) continue;
    const x1 = boxes[4 * i] * width;
    const y1 = boxes[4 * i + 1] * height;
    const x2 = boxes[4 * i + 2] * width;
    const y2 = boxes[4 * i + 3] * height;
    if (x2 <= x1 || y2 <= y1) continue;
    out.push({ box: { x: x1, y: y1, w: x2 - x1, h: y2 - y1 }, score });
  }
  return out;
}

/**
 * 2x2 overlapping tiles, each 60% of the image side: faces half as large (relative to the image)
 * as the 320x240 input can resolve become visible. Faces cut by a tile edge are still whole in the
 * neighbouring tile or in the full-image pass.
 */
export function tileRegions(width: number, height: number): Box[] {
  const tw = Math.round(width * 0.6);
  const th = Math.round(height * 0.6);
  const out: Box[] = [];
  for (const y of [0, height - th]) for (const x of [0, width - tw]) out.push({ x, y, w: tw, h: th });
  return out;
}

export const frDetect: Detector = {
  id: 'fr_detect',
  models: ['fr_detect', 'fr_landmark'],
  // crowd bench: 46/46 faces at 0.5-0.7; strays 1 at 0.5, 0 from 0.6 (faceplugin uses 0.65)
  defaults: { scoreThreshold: 0.7, iouThreshold: 0.3, maxSide: 1280 },
  async run(image: RgbImage, opts: DetectorRunOptions): Promise<RawDetection[]> {
    const { record, session } = await loadModel('fr_detect');
    const { width, height } = record.input;
    const detectIn = async (region: Box): Promise<RawDetection[]> => {
      const part = region.w === image.width && region.h === image.height ? image : cropBox(image, region).image;
      const resized = await resizeImage(part, width, height);
      const out = await session.run({ [record.input.name]: toModelTensor(resized.image, record.input) });
      return decodeUltraLight(out.scores.data as Float32Array, out.boxes.data as Float32Array, region.w, region.h, opts.scoreThreshold)
        .map((d) => ({ ...d, box: { ...d.box, x: d.box.x + region.x, y: d.box.y + region.y } }));
    };
    const cands = await detectIn({ x: 0, y: 0, w: image.width, h: image.height });
    if (opts.tiles) for (const t of tileRegions(image.width, image.height)) cands.push(...await detectIn(t));
    return nms(cands, opts);
  },
};
