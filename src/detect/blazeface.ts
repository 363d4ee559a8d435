/**
 * BlazeFace back-camera (MediaPipe, via Human's `blazeface-back`): 256x256 input, 896 anchors on a
 * 16x16 grid (2 per cell) then an 8x8 grid (6 per cell), all of unit size. Each anchor regresses
 * 16 numbers in input pixels relative to its centre: box centre offset (x, y), box size (w, h),
 * then 6 keypoints (subject's right eye, left eye, nose tip, mouth centre, right ear, left ear)
 * as (x, y) offsets; a separate logit gives the score. Decoding follows Human's
 * src/face/blazeface.ts and facemeshutil.generateAnchors; clustering uses MediaPipe's weighted NMS.
 */
import type { Point } from '../face.js';
import { resizeImage, toModelTensor } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { loadModel } from '../models/index.js';
import { weightedNms } from './nms.js';
import { outputByShape } from './outputs.js';
import type { Detector, DetectorRunOptions, RawDetection } from './types.js';

export const BLAZEFACE_KEYPOINTS = 6;

/** Anchor centres in input pixels, in the model's output order ([x, y] interleaved). */
export function blazeFaceAnchors(inputSize = 256): Float32Array {
  const spec = [{ stride: inputSize / 16, perCell: 2 }, { stride: inputSize / 8, perCell: 6 }];
  const out: number[] = [];
  for (const { stride, perCell } of spec) {
    const cells = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let k = 0; k < perCell; k++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Regressors [N,16] + logits [N] -> detections in input pixels (before NMS). */
export function decodeBlazeFace(regressors: Float32Array, logits: Float32Array, anchors: Float32Array, scoreThreshold: number): RawDetection[] {
  const n = logits.length;
  const stride = regressors.length / n;
  const out: RawDetection[] = [];
  for (let i = 0; i < n; i++) {
    const score = sigmoid(logits[i]);
    if (score < scoreThreshold) continue;
    const r = i * stride;
    const ax = anchors[2 * i];
    const ay = anchors[2 * i + 1];
    const cx = ax + regressors[r];
    const cy = ay + regressors[r + 1];
    const w = regressors[r + 2];
    const h = regressors[r + 3];
    if (!(w > 0 && h > 0)) continue;
    const keypoints: Point[] = [];
    for (let k = 0; k < BLAZEFACE_KEYPOINTS; k++) keypoints.push([ax + regressors[r + 4 + 2 * k], ay + regressors[r + 5 + 2 * k]]);
    out.push({ box: { x: cx - w / 2, y: cy - h / 2, w, h }, score, keypoints, landmarks: keypoints });
  }
  return out;
}

/** The 16x16-grid outputs come first, then the 8x8-grid ones (Human's concat order). */
export function blazeFaceOutputs(out: Parameters<typeof outputByShape>[0], model: string): { regressors: Float32Array; logits: Float32Array } {
  const joined = Object.values(out).find((t) => t.dims.length === 3 && t.dims[1] === 896 && t.dims[2] === 17);
  if (joined) {
    const d = joined.data as Float32Array;
    const regressors = new Float32Array(896 * 16);
    const logits = new Float32Array(896);
    for (let i = 0; i < 896; i++) {
      logits[i] = d[i * 17];
      regressors.set(d.subarray(i * 17 + 1, i * 17 + 17), i * 16);
    }
    return { regressors, logits };
  }
  const last = (dims: readonly number[]) => dims[dims.length - 1];
  const rows = (dims: readonly number[]) => dims[dims.length - 2];
  const r512 = outputByShape(out, model, (d) => rows(d) === 512 && last(d) === 16, '[1,512,16]');
  const r384 = outputByShape(out, model, (d) => rows(d) === 384 && last(d) === 16, '[1,384,16]');
  const l512 = outputByShape(out, model, (d) => rows(d) === 512 && last(d) === 1, '[1,512,1]');
  const l384 = outputByShape(out, model, (d) => rows(d) === 384 && last(d) === 1, '[1,384,1]');
  const regressors = new Float32Array(896 * 16);
  regressors.set(r512);
  regressors.set(r384, 512 * 16);
  const logits = new Float32Array(896);
  logits.set(l512);
  logits.set(l384, 512);
  return { regressors, logits };
}

export const blazeFace: Detector = {
  id: 'blazeface-back',
  models: ['blazeface-back', 'fr_landmark'],
  // crowd bench: 46/46 faces, 0 strays at 0.5; 2 strays at 0.3
  defaults: { scoreThreshold: 0.5, iouThreshold: 0.3, maxSide: 1280 },
  async run(image: RgbImage, opts: DetectorRunOptions): Promise<RawDetection[]> {
    const { record, session } = await loadModel('blazeface-back');
    const size = record.input.width;
    // letterboxed, so faces keep their proportions (Human's `square` option)
    const lb = await resizeImage(image, size, record.input.height, { letterbox: true });
    const out = await session.run({ [record.input.name]: toModelTensor(lb.image, record.input) });
    const { regressors, logits } = blazeFaceOutputs(out, record.id);
    const found = weightedNms(decodeBlazeFace(regressors, logits, blazeFaceAnchors(size), opts.scoreThreshold), opts);
    const back = ([x, y]: Point): Point => [(x - lb.offsetX) / lb.scaleX, (y - lb.offsetY) / lb.scaleY];
    return found.map((d) => {
      const [x0, y0] = back([d.box.x, d.box.y]);
      const [x1, y1] = back([d.box.x + d.box.w, d.box.y + d.box.h]);
      const keypoints = d.landmarks?.map(back);
      return { box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, score: d.score, keypoints };
    });
  },
};
