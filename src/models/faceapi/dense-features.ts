import type { Sym } from './graph.js';
import { convBias, separableConv, type Ctx } from './layers.js';

/**
 * face-api's densely connected feature extractors (src/faceFeatureExtractor), shared by the
 * 68-point landmark nets and the expression net. Input 112x112, (pixel - meanRgb) / 255.
 * Each dense block's first conv halves the resolution; every later conv sees the ReLU of the
 * sum of all earlier outputs in the block.
 */
export const FEATURE_INPUT = 112;

function denseBlock(c: Ctx, x: Sym, prefix: string, out: number, convs: number, isFirst: boolean): Sym {
  const { g } = c;
  const first = isFirst
    ? convBias(c, x, `${prefix}/conv0/filters`, `${prefix}/conv0/bias`, out, 3, 2, 'SAME', `${prefix}/conv0`)
    : separableConv(c, x, `${prefix}/conv0`, out, 2);
  const outs = [g.relu(`${prefix}/conv0/relu`, first)];
  let input = outs[0];
  for (let i = 1; i < convs; i++) {
    outs.push(separableConv(c, input, `${prefix}/conv${i}`, out, 1));
    // face-api sums right to left: out1 + (out2 + (out3 + out4))
    let sum = outs[outs.length - 1];
    for (let j = outs.length - 2; j >= 0; j--) sum = g.addV2(`${prefix}/sum${i}_${j}`, outs[j], sum);
    input = g.relu(`${prefix}/relu${i}`, sum);
  }
  return input;
}

/** FaceFeatureExtractor: four 4-conv dense blocks (32, 64, 128, 256) and a 7x7 average pool */
export function faceFeatureExtractor(c: Ctx, x: Sym): Sym {
  let out = denseBlock(c, x, 'dense0', 32, 4, true);
  out = denseBlock(c, out, 'dense1', 64, 4, false);
  out = denseBlock(c, out, 'dense2', 128, 4, false);
  out = denseBlock(c, out, 'dense3', 256, 4, false);
  return c.g.avgPool('features_pool', out, 7, 2, 'VALID');
}

/** TinyFaceFeatureExtractor: three 3-conv dense blocks (32, 64, 128) and a 14x14 average pool */
export function tinyFaceFeatureExtractor(c: Ctx, x: Sym): Sym {
  let out = denseBlock(c, x, 'dense0', 32, 3, true);
  out = denseBlock(c, out, 'dense1', 64, 3, false);
  out = denseBlock(c, out, 'dense2', 128, 3, false);
  return c.g.avgPool('features_pool', out, 14, 2, 'VALID');
}
