import type { GraphBuilder, Padding, Sym } from './graph.js';
import type { WeightStore } from './weights.js';

/**
 * The layer shapes face-api's networks are made of, each emitted as the op sequence face-api's
 * eager code runs (src/common, src/faceRecognitionNet, src/ssdMobilenetv1, src/tinyYolov2), with
 * weights looked up by their manifest names and checked against the shapes the layer needs.
 */
export interface Ctx {
  g: GraphBuilder;
  w: WeightStore;
}

/** a manifest weight as a Const node named after it */
export function weight({ g, w }: Ctx, key: string, shape: number[]): Sym {
  const t = w.get(key, shape);
  return g.constant(key, t);
}

/** conv2d + bias (face-api common/convLayer, tinyYolov2 conv layers) */
export function convBias(c: Ctx, x: Sym, filtersKey: string, biasKey: string, out: number, k: number, stride: number, padding: Padding, name: string, outName = `${name}/bias_add`): Sym {
  const f = weight(c, filtersKey, [k, k, x.shape[3], out]);
  const b = weight(c, biasKey, [out]);
  return c.g.biasAdd(outName, c.g.conv2d(`${name}/conv`, x, f, stride, padding), b);
}

/**
 * tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias: a depthwise conv with SAME
 * padding followed by a 1x1 VALID conv, as tfjs-core implements it.
 */
export function separableConv(c: Ctx, x: Sym, prefix: string, out: number, stride: number): Sym {
  const cin = x.shape[3];
  const dw = weight(c, `${prefix}/depthwise_filter`, [3, 3, cin, 1]);
  const pw = weight(c, `${prefix}/pointwise_filter`, [1, 1, cin, out]);
  const b = weight(c, `${prefix}/bias`, [out]);
  const d = c.g.depthwiseConv2d(`${prefix}/depthwise`, x, dw, stride, 'SAME');
  const p = c.g.conv2d(`${prefix}/pointwise`, d, pw, 1, 'VALID');
  return c.g.biasAdd(`${prefix}/bias_add`, p, b);
}

/** x @ W + b on a [N, C] tensor */
export function dense(c: Ctx, x: Sym, prefix: string, out: number, name = `${prefix}/bias_add`): Sym {
  const wt = weight(c, `${prefix}/weights`, [x.shape[1], out]);
  const b = weight(c, `${prefix}/bias`, [out]);
  return c.g.biasAdd(name, c.g.matMul(`${prefix}/matmul`, x, wt), b);
}

/** per-channel x * weights + biases (the recognition net's scale layer) */
export function scaleLayer(c: Ctx, x: Sym, prefix: string): Sym {
  const ch = x.shape[3];
  const s = weight(c, `${prefix}/weights`, [ch]);
  const b = weight(c, `${prefix}/biases`, [ch]);
  return c.g.addV2(`${prefix}/add`, c.g.mul(`${prefix}/mul`, x, s), b);
}

/**
 * Inference batch norm folded into one per-channel multiply and add:
 * (x - mean) * gamma / sqrt(var + eps) + beta = x * k + (beta - mean * k).
 */
export function batchNorm(c: Ctx, x: Sym, prefix: string, epsilon: number): Sym {
  const ch = x.shape[3];
  const gamma = c.w.get(`${prefix}/gamma`, [ch]).data;
  const beta = c.w.get(`${prefix}/beta`, [ch]).data;
  const mean = c.w.get(`${prefix}/moving_mean`, [ch]).data;
  const variance = c.w.get(`${prefix}/moving_variance`, [ch]).data;
  const k = new Float32Array(ch);
  const offset = new Float32Array(ch);
  for (let i = 0; i < ch; i++) {
    k[i] = gamma[i] / Math.sqrt(variance[i] + epsilon);
    offset[i] = beta[i] - mean[i] * k[i];
  }
  const kc = c.g.floatConst(`${prefix}/folded_scale`, [ch], k);
  const oc = c.g.floatConst(`${prefix}/folded_offset`, [ch], offset);
  return c.g.addV2(`${prefix}/folded_add`, c.g.mul(`${prefix}/folded_mul`, x, kc), oc);
}

/** face-api's leaky ReLU (alpha 0.1) written as it computes it: relu(x - 0.1x) + 0.1x */
export function leaky(c: Ctx, x: Sym, name: string): Sym {
  const alpha = c.g.floatConst(`${name}/alpha`, [], Float32Array.of(0.10000000149011612));
  const min = c.g.mul(`${name}/min`, x, alpha);
  return c.g.addV2(`${name}/add`, c.g.relu(`${name}/relu`, c.g.sub(`${name}/sub`, x, min)), min);
}

/** flatten [N, H, W, C] to [N, H*W*C] */
export function flatten(c: Ctx, x: Sym, name: string): Sym {
  return c.g.reshapeBatch(name, x, [x.shape.slice(1).reduce((a, b) => a * b, 1)]);
}
