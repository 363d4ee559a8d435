import { GraphBuilder, type Sym } from './graph.js';
import { batchNorm, weight, type Ctx } from './layers.js';
import type { WeightStore } from './weights.js';
import type { TfGraphModel } from '../tfjs/types.js';

/**
 * face-api's SsdMobilenetv1 (src/ssdMobilenetv1): a TF object-detection-API SSD with a
 * MobileNetV1 backbone at 512x512, input (pixel / 127.5) - 1. The graph stops before anchor
 * decoding and NMS: it outputs
 *   box_encodings [N, 5118, 4]  raw (ty, tx, th, tw) per anchor
 *   scores        [N, 5118]     sigmoid face score per anchor (class 1 of the 3 class logits)
 * Anchor order: box predictor 0 (conv11, 32x32 cells x 3 anchors), then predictors 1..5 on the
 * 16x16, 8x8, 4x4, 2x2 and 1x1 maps with 6 anchors each; within a predictor, row-major cells,
 * anchors fastest. Anchors are face-api's weight `Output/extra_dim`; decoding and NMS live in the
 * detection stage (src/detect/ssd.ts).
 */
export const SSD_INPUT = 512;
const BN_EPSILON = 0.0010000000474974513;

function pointwiseConv(c: Ctx, x: Sym, prefix: string, stride: number): Sym {
  const cin = x.shape[3];
  const t = c.w.get(`${prefix}/weights`, [-1, -1, cin, -1]);
  const f = c.g.constant(`${prefix}/weights`, t);
  const b = weight(c, `${prefix}/convolution_bn_offset`, [t.shape[3]]);
  const y = c.g.biasAdd(`${prefix}/bias_add`, c.g.conv2d(`${prefix}/conv2d`, x, f, stride, 'SAME'), b);
  return c.g.relu6(`${prefix}/relu6`, y);
}

function depthwiseConv(c: Ctx, x: Sym, prefix: string, stride: number): Sym {
  const f = weight(c, `${prefix}/depthwise_weights`, [3, 3, x.shape[3], 1]);
  const y = c.g.depthwiseConv2d(`${prefix}/depthwise`, x, f, stride, 'SAME');
  return c.g.relu6(`${prefix}/relu6`, batchNorm(c, y, `${prefix}/BatchNorm`, BN_EPSILON));
}

function mobileNetV1(c: Ctx, x: Sym): { out: Sym; conv11: Sym } {
  let out = pointwiseConv(c, x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: Sym | undefined;
  for (let i = 1; i <= 13; i++) {
    const stride = [2, 4, 6, 12].includes(i) ? 2 : 1;
    out = depthwiseConv(c, out, `MobilenetV1/Conv2d_${i}_depthwise`, stride);
    out = pointwiseConv(c, out, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = out;
  }
  return { out, conv11: conv11! };
}

/** one SSD head: box encodings [N, cells*anchors, 4] and face logits [N, cells*anchors] */
function boxPredictor(c: Ctx, x: Sym, idx: number): { boxes: Sym; logits: Sym } {
  const { g, w } = c;
  const cin = x.shape[3];
  const prefix = `Prediction/BoxPredictor_${idx}`;
  const boxW = w.get(`${prefix}/BoxEncodingPredictor/weights`, [-1, -1, cin, -1]);
  const anchors = boxW.shape[3] / 4;
  const boxF = g.constant(`${prefix}/BoxEncodingPredictor/weights`, boxW);
  const boxB = weight(c, `${prefix}/BoxEncodingPredictor/biases`, [anchors * 4]);
  const box = g.biasAdd(`${prefix}/box/bias_add`, g.conv2d(`${prefix}/box/conv2d`, x, boxF, 1, 'SAME'), boxB);
  const cells = box.shape[1] * box.shape[2];
  const boxes = g.reshapeBatch(`${prefix}/box/reshape`, box, [cells * anchors, 4]);

  // the class head predicts (background, face, unused) per anchor; face-api keeps only the face
  // logit, so only those output channels of the conv are built
  const clsW = w.get(`${prefix}/ClassPredictor/weights`, [boxW.shape[0], boxW.shape[1], cin, anchors * 3]);
  const clsB = w.get(`${prefix}/ClassPredictor/biases`, [anchors * 3]).data;
  const [kh, kw] = clsW.shape;
  const faceW = new Float32Array(kh * kw * cin * anchors);
  for (let p = 0; p < kh * kw * cin; p++) {
    for (let a = 0; a < anchors; a++) faceW[p * anchors + a] = clsW.data[p * anchors * 3 + a * 3 + 1];
  }
  const faceB = Float32Array.from({ length: anchors }, (_, a) => clsB[a * 3 + 1]);
  const clsF = g.floatConst(`${prefix}/ClassPredictor/face_weights`, [kh, kw, cin, anchors], faceW);
  const clsBc = g.floatConst(`${prefix}/ClassPredictor/face_biases`, [anchors], faceB);
  const cls = g.biasAdd(`${prefix}/class/bias_add`, g.conv2d(`${prefix}/class/conv2d`, x, clsF, 1, 'SAME'), clsBc);
  const logits = g.reshapeBatch(`${prefix}/class/reshape`, cls, [cells * anchors]);
  return { boxes, logits };
}

export function buildSsdMobilenet(w: WeightStore, inputName = 'input'): TfGraphModel {
  const g = new GraphBuilder(w.model);
  const c: Ctx = { g, w };
  const x = g.placeholder(inputName, [-1, SSD_INPUT, SSD_INPUT, 3]);
  const { out, conv11 } = mobileNetV1(c, x);
  const conv0 = pointwiseConv(c, out, 'Prediction/Conv2d_0_pointwise', 1);
  const conv1 = pointwiseConv(c, conv0, 'Prediction/Conv2d_1_pointwise', 2);
  const conv2 = pointwiseConv(c, conv1, 'Prediction/Conv2d_2_pointwise', 1);
  const conv3 = pointwiseConv(c, conv2, 'Prediction/Conv2d_3_pointwise', 2);
  const conv4 = pointwiseConv(c, conv3, 'Prediction/Conv2d_4_pointwise', 1);
  const conv5 = pointwiseConv(c, conv4, 'Prediction/Conv2d_5_pointwise', 2);
  const conv6 = pointwiseConv(c, conv5, 'Prediction/Conv2d_6_pointwise', 1);
  const conv7 = pointwiseConv(c, conv6, 'Prediction/Conv2d_7_pointwise', 2);
  const heads = [conv11, out, conv1, conv3, conv5, conv7].map((f, i) => boxPredictor(c, f, i));
  g.concat('box_encodings', heads.map((h) => h.boxes), 1);
  g.sigmoid('scores', g.concat('class_logits', heads.map((h) => h.logits), 1));
  return g.build();
}
