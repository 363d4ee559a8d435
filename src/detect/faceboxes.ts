/**
 * FaceBoxes (TropComplique/FaceBoxes-tensorflow, Human's `faceboxes`): the compiled graph is cut
 * at the raw heads, because the TF post-processing runs NMS inside a while loop over TensorArrays.
 * What the cut removes is rebuilt here from the graph's own nodes:
 * - anchors (`anchor_generator/*`, `concatenate/*`): three feature maps of stride 32, 64, 128. The
 *   stride-32 map holds, per cell, densified square anchors of side 32 (4x4 of them), 64 (2x2) and
 *   128 (1); the others one anchor of side 256 and 512. Anchor sides are in pixels of the (padded)
 *   input, centres are normalised to the feature map, and the corner boxes are clipped to [0, 1].
 * - decoding (`postprocessing/decode_predictions`): the TF Object Detection API box coder,
 *   encodings (ty, tx, th, tw) scaled by 1/10, 1/10, 1/5, 1/5 (float16 constants in the graph).
 * - scores: softmax column 1 (face); NMS: score >= 0.05, IoU 0.3, at most 200 boxes (the
 *   `nms/map/while` constants).
 * Input: raw 0..255 RGB (the graph scales it to -1..1 itself), letterboxed at the top-left as the
 * graph's own `image_padding` pads at the right and bottom. The detector gives no landmarks:
 * detectFaces adds them from the landmark model, as for fr_detect.
 * The smallest anchors are 32 px of the 512 input, so one downscaled pass misses small faces;
 * with `tiles` the image is also searched in 512 px windows at its own resolution (FaceBoxes is
 * meant to run on full-size images), and all candidates share one NMS.
 */
import type { Box } from '../face.js';
import { cropBox, resizeImage, toModelTensor } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { loadModel } from '../models/index.js';
import { nms } from './nms.js';
import { outputByShape } from './outputs.js';
import type { Detector, DetectorRunOptions, RawDetection } from './types.js';

/** Per feature map: stride in input pixels, then (anchor side in pixels, densification n) with n x n anchors per cell. */
export const FACEBOXES_ANCHOR_SPEC: readonly { stride: number; anchors: readonly [side: number, n: number][] }[] = [
  { stride: 32, anchors: [[32, 4], [64, 2], [128, 1]] },
  { stride: 64, anchors: [[256, 1]] },
  { stride: 128, anchors: [[512, 1]] },
];

/** Box coder scale factors as the graph stores them: reciprocals of 10, 10, 5, 5 rounded to float16. */
const SCALE_Y = 0.0999755859375;
const SCALE_X = 0.0999755859375;
const SCALE_H = 0.199951171875;
const SCALE_W = 0.199951171875;

/** NMS settings found in the graph's `nms/map/while` (0.05 and 0.3 also stored as float16). */
export const FACEBOXES_GRAPH_NMS = { scoreThreshold: 0.0499877929688, iouThreshold: 0.300048828125, maxResults: 200 } as const;

/** The graph pads its input to multiples of 128; the feature maps are then input / stride exactly. */
export const FACEBOXES_SIZE_MULTIPLE = 128;

export function faceBoxesAnchorCount(width: number, height: number): number {
  return FACEBOXES_ANCHOR_SPEC.reduce((s, { stride, anchors }) => s + (width / stride) * (height / stride) * anchors.reduce((t, [, n]) => t + n * n, 0), 0);
}

/**
 * Anchors as corner boxes (ymin, xmin, ymax, xmax) normalised to a `width` x `height` input (both
 * multiples of 128), in the heads' output order: per feature map, per cell row-major, per anchor
 * size, then the densified positions with the y offset varying fastest (the graph tiles its
 * centre-y vector along rows and centre-x along columns before flattening).
 */
export function faceBoxesAnchors(width: number, height: number): Float32Array {
  const out = new Float32Array(faceBoxesAnchorCount(width, height) * 4);
  let o = 0;
  for (const { stride, anchors } of FACEBOXES_ANCHOR_SPEC) {
    const gh = height / stride, gw = width / stride;
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        for (const [side, n] of anchors) {
          const h = side / height, w = side / width;
          // centre of the first densified anchor of the cell, then n steps of side/n across it
          const y0 = (gy + 0.5) / gh - h / 2 + h / (2 * n);
          const x0 = (gx + 0.5) / gw - w / 2 + w / (2 * n);
          for (let a = 0; a < n; a++) {
            for (let b = 0; b < n; b++) {
              const cy = y0 + (b * h) / n;
              const cx = x0 + (a * w) / n;
              out[o++] = clip01(cy - h / 2);
              out[o++] = clip01(cx - w / 2);
              out[o++] = clip01(cy + h / 2);
              out[o++] = clip01(cx + w / 2);
            }
          }
        }
      }
    }
  }
  return out;
}

const clip01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * Encodings [N,4] (ty, tx, th, tw) + softmax [N,2] (background, face) + anchors [N,4] ->
 * detections in pixels of a `width` x `height` input (before NMS). Decoded boxes are clipped to
 * the input as the graph does.
 */
export function decodeFaceBoxes(encodings: ArrayLike<number>, probs: ArrayLike<number>, anchors: ArrayLike<number>, width: number, height: number, scoreThreshold: number): RawDetection[] {
  const n = anchors.length / 4;
  const out: RawDetection[] = [];
  for (let i = 0; i < n; i++) {
    const score = probs[2 * i + 1];
    if (!(score >= scoreThreshold)) continue;
    const ay0 = anchors[4 * i], ax0 = anchors[4 * i + 1], ay1 = anchors[4 * i + 2], ax1 = anchors[4 * i + 3];
    const ah = ay1 - ay0, aw = ax1 - ax0;
    const cy = encodings[4 * i] * SCALE_Y * ah + (ay0 + 0.5 * ah);
    const cx = encodings[4 * i + 1] * SCALE_X * aw + (ax0 + 0.5 * aw);
    const h = Math.exp(encodings[4 * i + 2] * SCALE_H) * ah;
    const w = Math.exp(encodings[4 * i + 3] * SCALE_W) * aw;
    const y0 = clip01(cy - h / 2), x0 = clip01(cx - w / 2);
    const y1 = clip01(cy + h / 2), x1 = clip01(cx + w / 2);
    if (!(x1 > x0 && y1 > y0)) continue;
    out.push({ box: { x: x0 * width, y: y0 * height, w: (x1 - x0) * width, h: (y1 - y0) * height }, score });
  }
  return out;
}

/**
 * Windows of `size` px at the image's own resolution, overlapping by `overlap` px so a face up to
 * that size lies whole in at least one; larger faces are left to the full-image pass. None when
 * the image already fits one window.
 */
export function nativeTiles(width: number, height: number, size = 512, overlap = 128): Box[] {
  if (width <= size && height <= size) return [];
  const starts = (len: number): number[] => {
    if (len <= size) return [0];
    const n = Math.ceil((len - overlap) / (size - overlap));
    return Array.from({ length: n }, (_, i) => Math.round((i * (len - size)) / (n - 1)));
  };
  const out: Box[] = [];
  for (const y of starts(height)) for (const x of starts(width)) out.push({ x, y, w: Math.min(size, width), h: Math.min(size, height) });
  return out;
}

const EDGE_MARGIN = 2;

function cutByWindow(b: Box, t: Box, width: number, height: number): boolean {
  return (t.x > 0 && b.x <= t.x + EDGE_MARGIN)
    || (t.y > 0 && b.y <= t.y + EDGE_MARGIN)
    || (t.x + t.w < width && b.x + b.w >= t.x + t.w - EDGE_MARGIN)
    || (t.y + t.h < height && b.y + b.h >= t.y + t.h - EDGE_MARGIN);
}

export const faceBoxes: Detector = {
  id: 'faceboxes',
  models: ['faceboxes', 'fr_landmark'],
  // crowd bench (bench/detect.ts): one pass finds 37/46 faces at 0.7 (38 at 0.5), 2 strays either
  // way; with tiles 45/46 and 2 strays at 0.7, but 7 strays at 0.5 (native-resolution texture)
  defaults: { scoreThreshold: 0.7, iouThreshold: 0.3, maxSide: 1280 },
  async run(image: RgbImage, opts: DetectorRunOptions): Promise<RawDetection[]> {
    const { record, session } = await loadModel('faceboxes');
    const { width, height } = record.input;
    const count = faceBoxesAnchorCount(width, height);
    const detectIn = async (region: Box): Promise<RawDetection[]> => {
      const part = region.w === image.width && region.h === image.height ? image : cropBox(image, region).image;
      const lb = await resizeImage(part, width, height, { letterbox: true, align: 'topleft' });
      const out = await session.run({ [record.input.name]: toModelTensor(lb.image, record.input) });
      const enc = outputByShape(out, record.id, (d) => d[d.length - 1] === 4 && d[d.length - 2] === count, `[1,${count},4]`);
      const probs = outputByShape(out, record.id, (d) => d[d.length - 1] === 2 && d[d.length - 2] === count, `[1,${count},2]`);
      return decodeFaceBoxes(enc, probs, anchorsFor(width, height), width, height, opts.scoreThreshold).map((d) => ({
        ...d,
        box: { x: region.x + d.box.x / lb.scaleX, y: region.y + d.box.y / lb.scaleY, w: d.box.w / lb.scaleX, h: d.box.h / lb.scaleY },
      }));
    };
    const cands = await detectIn({ x: 0, y: 0, w: image.width, h: image.height });
    if (opts.tiles) {
      for (const t of nativeTiles(image.width, image.height, width)) {
        // a box touching a window edge inside the image is a cut face: whole in a neighbour or the full pass
        cands.push(...(await detectIn(t)).filter((d) => !cutByWindow(d.box, t, image.width, image.height)));
      }
    }
    return nms(cands, { ...opts, maxResults: FACEBOXES_GRAPH_NMS.maxResults });
  },
};

let anchorCache: { key: string; anchors: Float32Array } | undefined;
function anchorsFor(width: number, height: number): Float32Array {
  const key = `${width}x${height}`;
  if (anchorCache?.key !== key) anchorCache = { key, anchors: faceBoxesAnchors(width, height) };
  return anchorCache.anchors;
}
