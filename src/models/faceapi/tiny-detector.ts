import { GraphBuilder, type Sym } from './graph.js';
import { convBias, leaky, separableConv, type Ctx } from './layers.js';
import type { WeightStore } from './weights.js';
import type { TfGraphModel } from '../tfjs/types.js';

/**
 * face-api's TinyFaceDetector (src/tinyFaceDetector on src/tinyYolov2, separable-conv variant):
 * input 416x416, (pixel - [117.001, 114.697, 97.404]) / 255. Output `grid` [N, 13, 13, 25]: per
 * cell 5 anchors x (tx, ty, tw, th, objectness logit), raw, channel = anchor * 5 + field.
 * face-api decodes cell (row, col), anchor a as centre cx = (col + sigmoid(tx)) / 13,
 * cy = (row + sigmoid(ty)) / 13, size w = exp(tw) * anchorW[a] / 13, h = exp(th) * anchorH[a] / 13
 * (fractions of the input; box = centre -/+ size / 2), score = sigmoid(objectness), anchors
 * (w, h) in cells: (1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061),
 * (4.266906, 5.178857), (9.041765, 10.66308); NMS IoU 0.4. face-api letterboxes a non-square
 * image into the top-left of the square input.
 */
export const TINY_DETECTOR_INPUT = 416;

/**
 * face-api pads by one and runs a VALID 3x3 separable conv, which is the same as SAME padding
 * at stride 1.
 */
function sepConvLeaky(c: Ctx, x: Sym, prefix: string, out: number): Sym {
  return leaky(c, separableConv(c, x, prefix, out, 1), `${prefix}/leaky`);
}

export function buildTinyDetector(w: WeightStore, inputName = 'input'): TfGraphModel {
  const g = new GraphBuilder(w.model);
  const c: Ctx = { g, w };
  const x = g.placeholder(inputName, [-1, TINY_DETECTOR_INPUT, TINY_DETECTOR_INPUT, 3]);
  let out = leaky(c, convBias(c, x, 'conv0/filters', 'conv0/bias', 16, 3, 1, 'VALID', 'conv0'), 'conv0/leaky');
  out = g.maxPool('pool0', out, 2, 2, 'SAME');
  out = sepConvLeaky(c, out, 'conv1', 32);
  out = g.maxPool('pool1', out, 2, 2, 'SAME');
  out = sepConvLeaky(c, out, 'conv2', 64);
  out = g.maxPool('pool2', out, 2, 2, 'SAME');
  out = sepConvLeaky(c, out, 'conv3', 128);
  out = g.maxPool('pool3', out, 2, 2, 'SAME');
  out = sepConvLeaky(c, out, 'conv4', 256);
  out = g.maxPool('pool4', out, 2, 2, 'SAME');
  out = sepConvLeaky(c, out, 'conv5', 512);
  out = g.maxPool('pool5', out, 2, 1, 'SAME');
  convBias(c, out, 'conv8/filters', 'conv8/bias', 25, 1, 1, 'VALID', 'conv8', 'grid');
  return g.build();
}
