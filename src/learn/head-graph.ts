import type { TfGraphModel, TfNodeDef, TfTensor } from '../models/tfjs/types.js';
import { L2_EPSILON, type ProjectionHead } from './head.js';

export const HEAD_INPUT = 'embedding_in';
export const HEAD_OUTPUT = 'embedding';

const FLOAT = { type: 'DT_FLOAT' };

/**
 * A projection head as a TF graph (TF.js model.json node list + weights), the interchange format
 * the TF->ONNX compiler takes, so a trained head ships as ONNX like every other model.
 * Placeholder [-1, inputDim] -> (MatMul, BiasAdd[, Relu])+ -> x * Rsqrt(Maximum(Sum(Square(x), 1,
 * keep_dims), eps)), the same L2 normalisation the tfjs head computes.
 */
export function headToTfGraph(head: ProjectionHead, name = 'projection-head'): TfGraphModel {
  const nodes: TfNodeDef[] = [];
  const weights = new Map<string, TfTensor>();
  const constNode = (n: string, t: TfTensor): string => {
    weights.set(n, t);
    nodes.push({
      name: n,
      op: 'Const',
      attr: {
        dtype: { type: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' },
        value: { tensor: { dtype: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: t.shape.map((s) => ({ size: String(s) })) } } },
      },
    });
    return n;
  };
  nodes.push({ name: HEAD_INPUT, op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: { dim: [{ size: '-1' }, { size: String(head.inputDim) }] } } } });
  let x = HEAD_INPUT;
  const w = head.getWeights();
  const layers = w.length / 2;
  for (let l = 0; l < layers; l++) {
    const k = constNode(`head/dense${l}/kernel`, { dtype: 'float32', shape: w[2 * l].shape, data: w[2 * l].data });
    const b = constNode(`head/dense${l}/bias`, { dtype: 'float32', shape: w[2 * l + 1].shape, data: w[2 * l + 1].data });
    nodes.push({ name: `head/dense${l}/MatMul`, op: 'MatMul', input: [x, k], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } });
    nodes.push({ name: `head/dense${l}/BiasAdd`, op: 'BiasAdd', input: [`head/dense${l}/MatMul`, b], attr: { T: FLOAT, data_format: { s: Buffer.from('NHWC').toString('base64') } } });
    x = `head/dense${l}/BiasAdd`;
    if (l < layers - 1) {
      nodes.push({ name: `head/dense${l}/Relu`, op: 'Relu', input: [x], attr: { T: FLOAT } });
      x = `head/dense${l}/Relu`;
    }
  }
  const axis = constNode('head/l2/axis', { dtype: 'int32', shape: [1], data: Int32Array.from([1]) });
  const eps = constNode('head/l2/epsilon', { dtype: 'float32', shape: [], data: Float32Array.from([L2_EPSILON]) });
  nodes.push(
    { name: 'head/l2/Square', op: 'Square', input: [x], attr: { T: FLOAT } },
    { name: 'head/l2/Sum', op: 'Sum', input: ['head/l2/Square', axis], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: true } } },
    { name: 'head/l2/Maximum', op: 'Maximum', input: ['head/l2/Sum', eps], attr: { T: FLOAT } },
    { name: 'head/l2/Rsqrt', op: 'Rsqrt', input: ['head/l2/Maximum'], attr: { T: FLOAT } },
    { name: HEAD_OUTPUT, op: 'Mul', input: [x, 'head/l2/Rsqrt'], attr: { T: FLOAT } },
  );
  return { name, nodes, weights };
}
