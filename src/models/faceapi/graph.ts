import { FacekitError } from '../../errors/index.js';
import type { TfAttrValue, TfGraphModel, TfNodeDef, TfTensor } from '../tfjs/types.js';

/**
 * Emits TF GraphDef nodes in TF.js model.json form while tracking every tensor's static shape
 * (batch is -1), so builders can size reshapes and pads the way face-api's eager code does at
 * run time. Only plain TF ops are emitted (NHWC, SAME/VALID), the same vocabulary TF.js graph
 * models use, so one compiler serves both.
 */
export interface Sym {
  name: string;
  shape: number[];
}

export type Padding = 'SAME' | 'VALID';

const FLOAT: TfAttrValue = { type: 'DT_FLOAT' };
const INT32: TfAttrValue = { type: 'DT_INT32' };
const NHWC: TfAttrValue = { s: Buffer.from('NHWC').toString('base64') };

function str(s: string): TfAttrValue {
  return { s: Buffer.from(s).toString('base64') };
}

function ints(v: number[]): TfAttrValue {
  return { list: { i: v.map(String) } };
}

function shapeAttr(shape: number[]): { dim: { size: string }[] } {
  return { dim: shape.map((d) => ({ size: String(d) })) };
}

function windowOut(size: number, k: number, stride: number, padding: Padding): number {
  return padding === 'SAME' ? Math.ceil(size / stride) : Math.floor((size - k) / stride) + 1;
}

export class GraphBuilder {
  readonly model: string;
  readonly nodes: TfNodeDef[] = [];
  readonly weights = new Map<string, TfTensor>();
  private readonly used = new Set<string>();

  constructor(model: string) {
    this.model = model;
  }

  private fail(message: string): never {
    throw new FacekitError('INTERNAL', `model ${this.model}: ${message}`);
  }

  private add(name: string, op: string, input: Sym[], attr: Record<string, TfAttrValue>, shape: number[], extraInputs: string[] = []): Sym {
    if (this.used.has(name)) this.fail(`graph node ${name} defined twice`);
    this.used.add(name);
    this.nodes.push({ name, op, input: [...input.map((s) => s.name), ...extraInputs], attr });
    return { name, shape };
  }

  placeholder(name: string, shape: number[]): Sym {
    return this.add(name, 'Placeholder', [], { dtype: FLOAT, shape: { shape: shapeAttr(shape) } }, shape);
  }

  constant(name: string, t: TfTensor): Sym {
    const dt = t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    this.weights.set(name, { dtype: t.dtype, shape: [...t.shape], data: t.data });
    return this.add(name, 'Const', [], { dtype: { type: dt }, value: { tensor: { dtype: dt, tensorShape: shapeAttr(t.shape) } } }, [...t.shape]);
  }

  floatConst(name: string, shape: number[], data: Float32Array): Sym {
    return this.constant(name, { dtype: 'float32', shape, data });
  }

  intConst(name: string, shape: number[], values: number[]): Sym {
    return this.constant(name, { dtype: 'int32', shape, data: Int32Array.from(values) });
  }

  conv2d(name: string, x: Sym, filter: Sym, stride: number, padding: Padding): Sym {
    const [kh, kw, cin, cout] = filter.shape;
    if (x.shape[3] !== cin) this.fail(`${name}: input has ${x.shape[3]} channels, filter expects ${cin}`);
    const shape = [x.shape[0], windowOut(x.shape[1], kh, stride, padding), windowOut(x.shape[2], kw, stride, padding), cout];
    return this.add(name, 'Conv2D', [x, filter], {
      T: FLOAT, strides: ints([1, stride, stride, 1]), padding: str(padding), data_format: NHWC, dilations: ints([1, 1, 1, 1]),
    }, shape);
  }

  depthwiseConv2d(name: string, x: Sym, filter: Sym, stride: number, padding: Padding): Sym {
    const [kh, kw, cin, mult] = filter.shape;
    if (x.shape[3] !== cin) this.fail(`${name}: input has ${x.shape[3]} channels, filter expects ${cin}`);
    const shape = [x.shape[0], windowOut(x.shape[1], kh, stride, padding), windowOut(x.shape[2], kw, stride, padding), cin * mult];
    return this.add(name, 'DepthwiseConv2dNative', [x, filter], {
      T: FLOAT, strides: ints([1, stride, stride, 1]), padding: str(padding), data_format: NHWC, dilations: ints([1, 1, 1, 1]),
    }, shape);
  }

  biasAdd(name: string, x: Sym, bias: Sym): Sym {
    if (bias.shape.length !== 1 || bias.shape[0] !== x.shape[x.shape.length - 1]) this.fail(`${name}: bias [${bias.shape}] does not fit [${x.shape}]`);
    return this.add(name, 'BiasAdd', [x, bias], { T: FLOAT, data_format: NHWC }, x.shape);
  }

  private binary(op: string, name: string, a: Sym, b: Sym): Sym {
    const rank = Math.max(a.shape.length, b.shape.length);
    const pa = [...Array(rank - a.shape.length).fill(1), ...a.shape];
    const pb = [...Array(rank - b.shape.length).fill(1), ...b.shape];
    const shape = pa.map((d, i) => {
      const e = pb[i];
      if (d === e || e === 1) return d;
      if (d === 1) return e;
      return this.fail(`${name}: shapes [${a.shape}] and [${b.shape}] do not broadcast`);
    });
    return this.add(name, op, [a, b], { T: FLOAT }, shape);
  }

  addV2(name: string, a: Sym, b: Sym): Sym { return this.binary('AddV2', name, a, b); }
  sub(name: string, a: Sym, b: Sym): Sym { return this.binary('Sub', name, a, b); }
  mul(name: string, a: Sym, b: Sym): Sym { return this.binary('Mul', name, a, b); }

  private unary(op: string, name: string, x: Sym): Sym {
    return this.add(name, op, [x], { T: FLOAT }, x.shape);
  }

  relu(name: string, x: Sym): Sym { return this.unary('Relu', name, x); }
  relu6(name: string, x: Sym): Sym { return this.unary('Relu6', name, x); }
  sigmoid(name: string, x: Sym): Sym { return this.unary('Sigmoid', name, x); }
  softmax(name: string, x: Sym): Sym { return this.unary('Softmax', name, x); }

  private pool(op: string, name: string, x: Sym, k: number, stride: number, padding: Padding): Sym {
    const shape = [x.shape[0], windowOut(x.shape[1], k, stride, padding), windowOut(x.shape[2], k, stride, padding), x.shape[3]];
    return this.add(name, op, [x], {
      T: FLOAT, ksize: ints([1, k, k, 1]), strides: ints([1, stride, stride, 1]), padding: str(padding), data_format: NHWC,
    }, shape);
  }

  maxPool(name: string, x: Sym, k: number, stride: number, padding: Padding): Sym { return this.pool('MaxPool', name, x, k, stride, padding); }
  avgPool(name: string, x: Sym, k: number, stride: number, padding: Padding): Sym { return this.pool('AvgPool', name, x, k, stride, padding); }

  /** mean over the spatial axes of an NHWC tensor -> [N, C] */
  spatialMean(name: string, x: Sym): Sym {
    const axes = this.intConst(`${name}/reduction_indices`, [2], [1, 2]);
    return this.add(name, 'Mean', [x, axes], { T: FLOAT, Tidx: INT32, keep_dims: { b: false } }, [x.shape[0], x.shape[3]]);
  }

  matMul(name: string, a: Sym, b: Sym): Sym {
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0]) this.fail(`${name}: cannot multiply [${a.shape}] by [${b.shape}]`);
    return this.add(name, 'MatMul', [a, b], { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } }, [a.shape[0], b.shape[1]]);
  }

  /** reshape keeping the (dynamic) batch: `rest` is the shape after the batch dimension */
  reshapeBatch(name: string, x: Sym, rest: number[]): Sym {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    if (size(x.shape.slice(1)) !== size(rest)) this.fail(`${name}: cannot reshape [${x.shape}] to [-1,${rest}]`);
    const shape = this.intConst(`${name}/shape`, [rest.length + 1], [-1, ...rest]);
    return this.add(name, 'Reshape', [x, shape], { T: FLOAT, Tshape: INT32 }, [x.shape[0], ...rest]);
  }

  concat(name: string, xs: Sym[], axis: number): Sym {
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
    const axisConst = this.intConst(`${name}/axis`, [], [axis]);
    return this.add(name, 'ConcatV2', [...xs, axisConst], { T: FLOAT, Tidx: INT32, N: { i: String(xs.length) } }, shape);
  }

  /** zero padding, `pads` = [before, after] per axis */
  pad(name: string, x: Sym, pads: [number, number][]): Sym {
    const p = this.intConst(`${name}/paddings`, [pads.length, 2], pads.flat());
    const shape = x.shape.map((d, i) => (d < 0 ? d : d + pads[i][0] + pads[i][1]));
    return this.add(name, 'Pad', [x, p], { T: FLOAT, Tpaddings: INT32 }, shape);
  }

  build(): TfGraphModel {
    return { name: this.model, nodes: this.nodes, weights: this.weights };
  }
}
