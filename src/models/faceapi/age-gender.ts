import { GraphBuilder, type Sym } from './graph.js';
import { convBias, dense, flatten, separableConv, type Ctx } from './layers.js';
import { FEATURE_INPUT } from './dense-features.js';
import type { WeightStore } from './weights.js';
import type { TfGraphModel } from '../tfjs/types.js';

/**
 * face-api's AgeGenderNet (src/ageGenderNet on src/xception): a small Xception (entry flow,
 * two middle blocks, exit flow) on 112x112, (pixel - meanRgb) / 255, then a 7x7 average pool and
 * two heads: `age` [N, 1] (years, regression) and `gender` [N, 2] softmax (male, female).
 */
function conv(c: Ctx, x: Sym, prefix: string, out: number, k: number, stride: number): Sym {
  return convBias(c, x, `${prefix}/filters`, `${prefix}/bias`, out, k, stride, 'SAME', prefix);
}

function reductionBlock(c: Ctx, x: Sym, prefix: string, out: number, activateInput: boolean): Sym {
  const { g } = c;
  let y = activateInput ? g.relu(`${prefix}/relu_in`, x) : x;
  y = separableConv(c, y, `${prefix}/separable_conv0`, out, 1);
  y = separableConv(c, g.relu(`${prefix}/relu0`, y), `${prefix}/separable_conv1`, out, 1);
  y = g.maxPool(`${prefix}/max_pool`, y, 3, 2, 'SAME');
  return g.addV2(`${prefix}/add`, y, conv(c, x, `${prefix}/expansion_conv`, out, 1, 2));
}

function mainBlock(c: Ctx, x: Sym, prefix: string): Sym {
  const { g } = c;
  const ch = x.shape[3];
  let y = separableConv(c, g.relu(`${prefix}/relu0`, x), `${prefix}/separable_conv0`, ch, 1);
  y = separableConv(c, g.relu(`${prefix}/relu1`, y), `${prefix}/separable_conv1`, ch, 1);
  y = separableConv(c, g.relu(`${prefix}/relu2`, y), `${prefix}/separable_conv2`, ch, 1);
  return g.addV2(`${prefix}/add`, y, x);
}

export function buildAgeGender(w: WeightStore, inputName = 'input'): TfGraphModel {
  const g = new GraphBuilder(w.model);
  const c: Ctx = { g, w };
  const x = g.placeholder(inputName, [-1, FEATURE_INPUT, FEATURE_INPUT, 3]);
  let out = g.relu('entry_flow/conv_in/relu', conv(c, x, 'entry_flow/conv_in', 32, 3, 2));
  out = reductionBlock(c, out, 'entry_flow/reduction_block_0', 64, false);
  out = reductionBlock(c, out, 'entry_flow/reduction_block_1', 128, true);
  out = mainBlock(c, out, 'middle_flow/main_block_0');
  out = mainBlock(c, out, 'middle_flow/main_block_1');
  out = reductionBlock(c, out, 'exit_flow/reduction_block', 256, true);
  out = g.relu('exit_flow/relu', separableConv(c, out, 'exit_flow/separable_conv', 512, 1));
  const pooled = flatten(c, g.avgPool('features_pool', out, 7, 2, 'VALID'), 'features_flat');
  dense(c, pooled, 'fc/age', 1, 'age');
  g.softmax('gender', dense(c, pooled, 'fc/gender', 2));
  return g.build();
}
