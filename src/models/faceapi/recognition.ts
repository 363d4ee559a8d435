import { GraphBuilder, type Sym } from './graph.js';
import { scaleLayer, weight, type Ctx } from './layers.js';
import type { WeightStore } from './weights.js';
import type { TfGraphModel } from '../tfjs/types.js';

/**
 * face-api's FaceRecognitionNet (src/faceRecognitionNet): the dlib ResNet-34-style face
 * descriptor, 150x150 RGB in, 128-d out. Input is already normalised: (pixel - meanRgb) / 255
 * with meanRgb [122.782, 117.001, 104.298] (the record's mean/std).
 */
export const RECOGNITION_INPUT = 150;

function convLayer(c: Ctx, x: Sym, prefix: string, out: number, k: number, stride: number, padding: 'SAME' | 'VALID', withRelu: boolean): Sym {
  const f = weight(c, `${prefix}/conv/filters`, [k, k, x.shape[3], out]);
  const b = weight(c, `${prefix}/conv/bias`, [out]);
  let y = c.g.biasAdd(`${prefix}/conv/bias_add`, c.g.conv2d(`${prefix}/conv/conv2d`, x, f, stride, padding), b);
  y = scaleLayer(c, y, `${prefix}/scale`);
  return withRelu ? c.g.relu(`${prefix}/relu`, y) : y;
}

function residual(c: Ctx, x: Sym, prefix: string): Sym {
  const ch = x.shape[3];
  let out = convLayer(c, x, `${prefix}/conv1`, ch, 3, 1, 'SAME', true);
  out = convLayer(c, out, `${prefix}/conv2`, ch, 3, 1, 'SAME', false);
  return c.g.relu(`${prefix}/relu`, c.g.addV2(`${prefix}/add`, out, x));
}

/**
 * The strided block: a VALID stride-2 conv path added to a 2x2 average-pooled shortcut. Where
 * the two disagree face-api zero-pads at run time (an extra bottom row / right column on the
 * conv path, extra zero channels on the shortcut); here the same pads are fixed at build time.
 */
function residualDown(c: Ctx, x: Sym, prefix: string, out: number): Sym {
  let y = convLayer(c, x, `${prefix}/conv1`, out, 3, 2, 'VALID', true);
  y = convLayer(c, y, `${prefix}/conv2`, out, 3, 1, 'SAME', false);
  let pooled = c.g.avgPool(`${prefix}/avg_pool`, x, 2, 2, 'VALID');
  const dh = pooled.shape[1] - y.shape[1];
  const dw = pooled.shape[2] - y.shape[2];
  if (dh !== 0 || dw !== 0) y = c.g.pad(`${prefix}/pad_spatial`, y, [[0, 0], [0, dh], [0, dw], [0, 0]]);
  const dc = y.shape[3] - pooled.shape[3];
  if (dc !== 0) pooled = c.g.pad(`${prefix}/pad_channels`, pooled, [[0, 0], [0, 0], [0, 0], [0, dc]]);
  return c.g.relu(`${prefix}/relu`, c.g.addV2(`${prefix}/add`, pooled, y));
}

export function buildRecognition(w: WeightStore, inputName = 'input'): TfGraphModel {
  const g = new GraphBuilder(w.model);
  const c: Ctx = { g, w };
  const x = g.placeholder(inputName, [-1, RECOGNITION_INPUT, RECOGNITION_INPUT, 3]);
  let out = convLayer(c, x, 'conv32_down', 32, 7, 2, 'VALID', true);
  out = g.maxPool('max_pool', out, 3, 2, 'VALID');
  out = residual(c, out, 'conv32_1');
  out = residual(c, out, 'conv32_2');
  out = residual(c, out, 'conv32_3');
  out = residualDown(c, out, 'conv64_down', 64);
  out = residual(c, out, 'conv64_1');
  out = residual(c, out, 'conv64_2');
  out = residual(c, out, 'conv64_3');
  out = residualDown(c, out, 'conv128_down', 128);
  out = residual(c, out, 'conv128_1');
  out = residual(c, out, 'conv128_2');
  out = residualDown(c, out, 'conv256_down', 256);
  out = residual(c, out, 'conv256_1');
  out = residual(c, out, 'conv256_2');
  out = residualDown(c, out, 'conv256_down_out', 256);
  const pooled = g.spatialMean('global_avg', out);
  const fc = weight(c, 'fc', [256, 128]);
  g.matMul('descriptor', pooled, fc);
  return g.build();
}
