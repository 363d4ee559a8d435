import { FacekitError } from '../../errors/index.js';
import type { TfAttrValue, TfGraphModel, TfNodeDef, TfTensor } from '../tfjs/types.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './read.js';

/**
 * A TFLite model as the TF graph the ONNX compiler reads (src/models/tfjs/types.ts), so TFLite and
 * TF.js models share one compiler and one set of op semantics. TFLite's layouts are rewritten to
 * TF's on the way: conv filters OHWI -> HWIO, depthwise filters 1HW(C*M) -> HWCM (the same bytes),
 * fully-connected weights [out, in] used with transpose_b; fused activations become TF's fused ops
 * or a following activation node. Constants behind DEQUANTIZE (float16 or affine int8 weights) are
 * folded into float32 constants, as TFLite itself does at load time.
 */
export interface TfliteToGraphOptions {
  /**
   * Leave the input's height and width open (the compiler then takes them from `inputShape`):
   * for fully convolutional models such as MTCNN's P-Net, compiled once per image-pyramid size.
   */
  openInputSize?: boolean;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (xs: number[]): TfAttrValue => ({ list: { i: xs.map(String) } });
const str = (s: string): TfAttrValue => ({ s: b64(s) });

/** ActivationFunctionType (schema.fbs) -> TF.js fused_ops activation name; SIGN_BIT is not one */
const ACTIVATIONS = ['', 'Relu', 'RELU_N1_TO_1', 'Relu6', 'Tanh', 'SIGN_BIT'];
const PADDING = ['SAME', 'VALID'];

/** The graph, and its outputs' node names (the model's output tensors) to compile it with. */
export function tfliteToGraph(model: TfliteModel, opts: TfliteToGraphOptions = {}): TfGraphModel & { outputs: string[] } {
  const nodes: TfNodeDef[] = [];
  const weights = new Map<string, TfTensor>();
  const bad = (op: TfliteOperator, why: string) => new FacekitError('UNSUPPORTED_OP', `model ${model.name}: TFLite ${op.op} ${why}`);

  // one TF node name per tensor: TFLite names may repeat or hold ':' (TF's output separator)
  const names = new Map<number, string>();
  const taken = new Set<string>();
  const nameOf = (i: number): string => {
    let n = names.get(i);
    if (n) return n;
    const base = model.tensors[i].name.replace(/:/g, '_') || `tensor_${i}`;
    n = taken.has(base) ? `${base}_${i}` : base;
    taken.add(n);
    names.set(i, n);
    return n;
  };
  /** constants folded so far (DEQUANTIZE outputs), by tensor index */
  const folded = new Map<number, Float32Array | Int32Array>();
  const constData = (i: number): Float32Array | Int32Array | undefined => folded.get(i) ?? model.tensors[i].data;
  const emitted = new Set<number>();
  /** a new Const node under `name` */
  const constNode = (name: string, shape: number[], data: Float32Array | Int32Array): string => {
    weights.set(name, { dtype: data instanceof Float32Array ? 'float32' : 'int32', shape, data });
    nodes.push({ name, op: 'Const' });
    return name;
  };
  /** the TF input reference of a tensor: its producing node, or a Const for a constant */
  const ref = (i: number): string => {
    const name = nameOf(i);
    const data = constData(i);
    if (data && !emitted.has(i)) {
      emitted.add(i);
      constNode(name, model.tensors[i].shape, data);
    }
    return name;
  };
  const constOf = (op: TfliteOperator, i: number, what: string): Float32Array | Int32Array => {
    const d = i >= 0 ? constData(i) : undefined;
    if (!d) throw bad(op, `needs a constant ${what}`);
    return d;
  };
  /** emits `node` under the output tensor's name, or under name/pre_activation plus the activation */
  const withActivation = (op: TfliteOperator, node: Omit<TfNodeDef, 'name'>, act: number): void => {
    const out = nameOf(op.outputs[0]);
    const activation = ACTIVATIONS[act];
    if (activation === undefined || activation === 'RELU_N1_TO_1' || activation === 'SIGN_BIT') throw bad(op, `has fused activation ${activation ?? act}`);
    if (!activation) { nodes.push({ ...node, name: out }); return; }
    nodes.push({ ...node, name: `${out}/pre_activation` });
    nodes.push({ name: out, op: activation, input: [`${out}/pre_activation`] });
  };

  const input = model.inputs[0];
  if (model.inputs.length !== 1) throw new FacekitError('UNSUPPORTED_OP', `model ${model.name}: has ${model.inputs.length} inputs; only one is supported`);
  const inShape = model.tensors[input].shape;
  const declaredBatch = inShape[0];
  nodes.push({
    name: nameOf(input), op: 'Placeholder',
    attr: {
      dtype: { type: 'DT_FLOAT' },
      shape: { shape: { dim: inShape.map((d, k) => ({ size: String(k === 0 || (opts.openInputSize && (k === 1 || k === 2)) ? -1 : d) })) } },
    },
  });
  emitted.add(input);

  for (const op of model.operators) {
    const o = op.options;
    const [x, a, b] = op.inputs;
    const out = nameOf(op.outputs[0]);
    switch (op.op) {
      case 'DEQUANTIZE': {
        const t = model.tensors[x];
        const d = constData(x);
        if (!d) { nodes.push({ name: out, op: 'Identity', input: [ref(x)] }); break; }
        folded.set(op.outputs[0], t.dtype === 'float16' || t.dtype === 'float32' ? d : dequantize(t, d));
        break;
      }
      case 'CONV_2D': case 'DEPTHWISE_CONV_2D': {
        const depthwise = op.op === 'DEPTHWISE_CONV_2D';
        const f = constOf(op, a, 'filter');
        const fs = model.tensors[a].shape;
        const ci = model.tensors[x].shape[3];
        let filterShape: number[];
        let filter: Float32Array;
        if (depthwise) {
          // [1, H, W, C*M] is [H, W, C, M] in the same row-major order
          filterShape = [fs[1], fs[2], ci, fs[3] / ci];
          filter = Float32Array.from(f);
        } else {
          const [co, kh, kw, c] = fs;
          filterShape = [kh, kw, c, co];
          filter = new Float32Array(f.length);
          for (let k = 0; k < co; k++) for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let cc = 0; cc < c; cc++) {
            filter[((y * kw + xx) * c + cc) * co + k] = f[((k * kh + y) * kw + xx) * c + cc];
          }
        }
        const co = depthwise ? fs[3] : fs[0];
        const fname = constNode(`${out}/filter`, filterShape, filter);
        const bias = b !== undefined && b >= 0 ? ref(b) : constNode(`${out}/bias`, [co], new Float32Array(co));
        const act = o?.byte(depthwise ? 4 : 3) ?? 0;
        const activation = ACTIVATIONS[act];
        if (activation === undefined || activation === 'RELU_N1_TO_1' || activation === 'SIGN_BIT') throw bad(op, `has fused activation ${activation ?? act}`);
        const sh = o?.int(2, 1) ?? 1; const sw = o?.int(1, 1) ?? 1;
        const dh = o?.int(depthwise ? 6 : 5, 1) ?? 1; const dw = o?.int(depthwise ? 5 : 4, 1) ?? 1;
        nodes.push({
          name: out, op: depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', input: [ref(x), fname, bias],
          attr: {
            strides: ints([1, sh, sw, 1]), dilations: ints([1, dh, dw, 1]), padding: str(PADDING[o?.byte(0) ?? 0]), data_format: str('NHWC'),
            fused_ops: { list: { s: [b64('BiasAdd'), ...(activation ? [b64(activation)] : [])] } }, num_args: { i: '1' },
          },
        });
        break;
      }
      case 'FULLY_CONNECTED': {
        const w = model.tensors[a];
        const [co, k] = w.shape;
        const keepDims = o?.bool(2) ?? false;
        if (keepDims && model.tensors[x].shape.length !== 2) throw bad(op, 'keeps the input dimensions (keep_num_dims)');
        // TFLite flattens the input to [batch, in] in its own (NHWC) order
        let xin = ref(x);
        if (model.tensors[x].shape.length !== 2) {
          const shape = constNode(`${out}/flat_shape`, [2], Int32Array.from([-1, k]));
          nodes.push({ name: `${out}/flat`, op: 'Reshape', input: [xin, shape] });
          xin = `${out}/flat`;
        }
        const act = ACTIVATIONS[o?.byte(0) ?? 0];
        if (act === undefined || act === 'RELU_N1_TO_1' || act === 'SIGN_BIT') throw bad(op, `has fused activation ${act}`);
        const bias = b !== undefined && b >= 0 ? ref(b) : constNode(`${out}/bias`, [co], new Float32Array(co));
        if (!constData(a)) throw bad(op, 'needs constant weights');
        nodes.push({
          name: out, op: '_FusedMatMul', input: [xin, ref(a), bias],
          attr: { transpose_a: { b: false }, transpose_b: { b: true }, fused_ops: { list: { s: [b64('BiasAdd'), ...(act ? [b64(act)] : [])] } }, num_args: { i: '1' } },
        });
        break;
      }
      case 'MAX_POOL_2D': case 'AVERAGE_POOL_2D':
        withActivation(op, {
          op: op.op === 'MAX_POOL_2D' ? 'MaxPool' : 'AvgPool', input: [ref(x)],
          attr: { ksize: ints([1, o?.int(4, 1) ?? 1, o?.int(3, 1) ?? 1, 1]), strides: ints([1, o?.int(2, 1) ?? 1, o?.int(1, 1) ?? 1, 1]), padding: str(PADDING[o?.byte(0) ?? 0]), data_format: str('NHWC') },
        }, o?.byte(5) ?? 0);
        break;
      case 'ADD': case 'SUB': case 'MUL': case 'DIV':
        withActivation(op, { op: { ADD: 'AddV2', SUB: 'Sub', MUL: 'Mul', DIV: 'RealDiv' }[op.op]!, input: [ref(x), ref(a)] }, o?.byte(0) ?? 0);
        break;
      case 'MAXIMUM': case 'MINIMUM':
        nodes.push({ name: out, op: op.op === 'MAXIMUM' ? 'Maximum' : 'Minimum', input: [ref(x), ref(a)] });
        break;
      case 'RELU': case 'RELU6': case 'ABS': case 'NEG': case 'EXP': case 'LOGISTIC': case 'TANH': case 'SQRT': case 'RSQRT': case 'SQUARE': {
        const tf = { RELU: 'Relu', RELU6: 'Relu6', ABS: 'Abs', NEG: 'Neg', EXP: 'Exp', LOGISTIC: 'Sigmoid', TANH: 'Tanh', SQRT: 'Sqrt', RSQRT: 'Rsqrt', SQUARE: 'Square' }[op.op]!;
        nodes.push({ name: out, op: tf, input: [ref(x)] });
        break;
      }
      case 'LESS': case 'GREATER': case 'GREATER_EQUAL': case 'LESS_EQUAL':
        nodes.push({ name: out, op: { LESS: 'Less', GREATER: 'Greater', GREATER_EQUAL: 'GreaterEqual', LESS_EQUAL: 'LessEqual' }[op.op]!, input: [ref(x), ref(a)] });
        break;
      case 'CAST': {
        const to = model.tensors[op.outputs[0]].dtype;
        const type = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', int64: 'DT_INT64' }[to as string];
        if (!type) throw bad(op, `casts to ${to}`);
        nodes.push({ name: out, op: 'Cast', input: [ref(x)], attr: { DstT: { type } } });
        break;
      }
      case 'LEAKY_RELU':
        nodes.push({ name: out, op: 'LeakyRelu', input: [ref(x)], attr: { alpha: { f: o?.float(0, 0.2) ?? 0.2 } } });
        break;
      case 'PRELU':
        nodes.push({ name: out, op: 'Prelu', input: [ref(x), ref(a)] });
        break;
      case 'SUM': case 'REDUCE_MAX': case 'MEAN':
        constOf(op, a, 'axis list');
        nodes.push({ name: out, op: { SUM: 'Sum', REDUCE_MAX: 'Max', MEAN: 'Mean' }[op.op]!, input: [ref(x), ref(a)], attr: { keep_dims: { b: o?.bool(0) ?? false } } });
        break;
      case 'SOFTMAX': {
        const beta = o?.float(0, 1) ?? 1;
        let xin = ref(x);
        if (beta !== 1) {
          nodes.push({ name: `${out}/scaled`, op: 'Mul', input: [xin, constNode(`${out}/beta`, [], Float32Array.of(beta))] });
          xin = `${out}/scaled`;
        }
        nodes.push({ name: out, op: 'Softmax', input: [xin] });
        break;
      }
      case 'RESHAPE': {
        const target = a !== undefined && a >= 0 && constData(a) ? Array.from(constData(a)!) : (o?.ints(0) ?? []);
        if (!target.length) throw bad(op, 'has no constant target shape');
        // the model's own batch size spelled as a number stays the (open) batch dimension
        if (target[0] === declaredBatch && model.tensors[x].shape[0] === declaredBatch) target[0] = -1;
        nodes.push({ name: out, op: 'Reshape', input: [ref(x), constNode(`${out}/shape`, [target.length], Int32Array.from(target))] });
        break;
      }
      case 'CONCATENATION':
        withActivation(op, { op: 'ConcatV2', input: [...op.inputs.map(ref), constNode(`${out}/axis`, [], Int32Array.of(o?.int(0) ?? 0))] }, o?.byte(1) ?? 0);
        break;
      case 'STRIDED_SLICE':
        if (o?.int(5)) throw bad(op, 'uses offset mode');
        nodes.push({
          name: out, op: 'StridedSlice', input: [ref(x), ref(a), ref(b), ref(op.inputs[3])],
          attr: { begin_mask: { i: String(o?.int(0) ?? 0) }, end_mask: { i: String(o?.int(1) ?? 0) }, ellipsis_mask: { i: String(o?.int(2) ?? 0) }, new_axis_mask: { i: String(o?.int(3) ?? 0) }, shrink_axis_mask: { i: String(o?.int(4) ?? 0) } },
        });
        break;
      case 'PAD':
        nodes.push({ name: out, op: 'Pad', input: [ref(x), ref(a)] });
        break;
      case 'TRANSPOSE':
        nodes.push({ name: out, op: 'Transpose', input: [ref(x), ref(a)] });
        break;
      case 'SQUEEZE':
        nodes.push({ name: out, op: 'Squeeze', input: [ref(x)], attr: { squeeze_dims: ints(o?.ints(0) ?? []) } });
        break;
      default:
        throw bad(op, 'is not supported by facekit\'s TFLite reader');
    }
  }
  return { name: model.name, nodes, weights, outputs: model.outputs.map(nameOf) };
}

/** affine-quantized constant -> float32: scale * (q - zero_point), per axis where given */
function dequantize(t: TfliteTensor, q: Float32Array | Int32Array): Float32Array {
  const qp = t.quantization;
  if (!qp) throw new FacekitError('UNSUPPORTED_OP', `TFLite tensor ${t.name} (${t.dtype}) is dequantized but has no scale`);
  const out = new Float32Array(q.length);
  const inner = t.shape.slice(qp.dimension + 1).reduce((p, d) => p * d, 1);
  const n = qp.scale.length;
  for (let i = 0; i < q.length; i++) {
    const c = n === 1 ? 0 : Math.floor(i / inner) % n;
    out[i] = qp.scale[c] * (q[i] - (qp.zeroPoint[c] ?? 0));
  }
  return out;
}
