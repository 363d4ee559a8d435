import { FacekitError } from '../../errors/index.js';
import type { TfAttrValue, TfGraphModel, TfNodeDef, TfTensor } from '../tfjs/types.js';
import { OnnxGraphBuilder, type AttrValue, type OnnxDtype } from './builder.js';
import { fuseActivationPatterns } from './patterns.js';

import { COMPILER_VERSION } from './version.js';

export { COMPILER_VERSION };

export interface CompileOptions {
  /** cut the graph at these node names instead of its natural outputs */
  outputs?: string[];
  /** name to give the (single) graph input */
  inputName?: string;
  /**
   * NHWC shape of the input where the model leaves it open (-1 = keep the batch symbolic).
   * Only needed for models with unknown height/width, such as faceboxes.
   */
  inputShape?: number[];
  /**
   * Test hook only: put SAME padding's odd extra row/column at the start instead of the end,
   * the classic TF-vs-ONNX mismatch, so the parity tests can show they would catch it.
   */
  samePaddingExtraAtStart?: boolean;
  /** rewrite PReLU/ReLU6 spelled as elementwise chains into single ops (default true) */
  fusePatterns?: boolean;
  /**
   * Undo a TF.js-converter defect (Human's mobilefacenet): PReLU blocks whose ReLU was fused into
   * the depthwise conv, leaving the negative branch dead, become real PReLUs again. Changes the
   * model's numbers on purpose, so it is off by default and never used for parity.
   */
  repairFusedReluPrelu?: boolean;
  /**
   * Give TF-slim PReLUs (relu(x) + c * (x - |x|)) slope -2c instead of 2c: the other half of the
   * mobilefacenet repair (its conversion stored the slopes negated; see onnx/patterns.ts). Only for
   * graphs whose record asks for it.
   */
  negatePreluSlopes?: boolean;
  /**
   * Fix the batch size instead of keeping it symbolic. Used automatically (with 1) for graphs
   * that compute with their own batch size, such as facemesh-attention's spatial transformer.
   */
  fixedBatch?: number;
}

type Dtype = 'float32' | 'int32' | 'bool';

/** Shapes use -1 for the symbolic batch dimension; a folded constant's values use NaN for it. */
interface Val {
  dtype: Dtype;
  shape: number[];
  /** ONNX tensor name, once it exists in the graph */
  onnx?: string;
  /** known value (weights and shape arithmetic), row-major */
  value?: ArrayLike<number>;
}

const BATCH = -1;

class Compiler {
  private b = new OnnxGraphBuilder();
  private vals = new Map<string, Val>();
  private byName = new Map<string, TfNodeDef>();
  private inputNode?: TfNodeDef;

  constructor(private model: TfGraphModel, private opts: CompileOptions) {
    for (const n of model.nodes) this.byName.set(n.name, n);
  }

  compile(): Uint8Array {
    const outputs = this.opts.outputs?.length ? this.opts.outputs : naturalOutputs(this.model);
    for (const o of outputs) {
      if (!this.byName.has(o.split(':')[0])) throw new FacekitError('BAD_ARGUMENT', `model ${this.model.name}: output node ${o} does not exist`);
    }
    // output names are taken first so internal tensors never claim them
    for (const o of outputs) this.b.reserve(o.replace(/:0$/, ''));
    this.order(outputs.map((o) => o.split(':')[0])).forEach((n) => this.translate(n));
    if (!this.inputNode) throw new FacekitError('UNSUPPORTED_OP', `model ${this.model.name}: the outputs do not depend on any Placeholder input`);
    for (const o of outputs) {
      const v = this.val(o, this.inputNode);
      const name = o.replace(/:0$/, '');
      this.b.nodeTo('Identity', [this.tensor(v, name)], name);
      this.b.addOutput(name, v.dtype, v.shape);
    }
    return this.b.encode(this.model.name, `c${COMPILER_VERSION}`);
  }

  /** nodes needed for `targets`, each after its inputs (iterative DFS: graphs can be deep) */
  private order(targets: string[]): TfNodeDef[] {
    const out: TfNodeDef[] = [];
    const state = new Map<string, 1 | 2>();
    for (const t of targets) {
      const stack: [string, boolean][] = [[t, false]];
      while (stack.length) {
        const [name, done] = stack.pop()!;
        if (done) { state.set(name, 2); out.push(this.byName.get(name)!); continue; }
        if (state.has(name)) continue;
        const node = this.byName.get(name);
        if (!node) throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${this.model.name}: node ${name} is referenced but not defined`);
        state.set(name, 1);
        stack.push([name, true]);
        for (const i of node.input ?? []) {
          if (i.startsWith('^')) continue; // control dependencies carry no data
          const dep = i.split(':')[0];
          if (!state.has(dep)) stack.push([dep, false]);
        }
      }
    }
    return out;
  }

  // ---- values ---------------------------------------------------------------------------

  private val(ref: string, node: TfNodeDef): Val {
    const [name, idx = '0'] = ref.split(':');
    const v = this.vals.get(`${name}:${idx}`);
    if (!v) throw this.unsupported(node, `input ${ref} has no value`);
    return v;
  }

  private inputs(node: TfNodeDef): Val[] {
    return (node.input ?? []).filter((i) => !i.startsWith('^')).map((i) => this.val(i, node));
  }

  private set(node: TfNodeDef, v: Val, idx = 0): void {
    this.vals.set(`${node.name}:${idx}`, v);
  }

  /** the ONNX tensor of a value, materializing known values as initializers */
  private tensor(v: Val, hint = 'const'): string {
    if (v.onnx) return v.onnx;
    if (!v.value) throw new FacekitError('INTERNAL', `model ${this.model.name}: value ${hint} has neither a tensor nor a value`);
    if (Array.from(v.value).some((x) => Number.isNaN(x))) {
      throw new FacekitError('UNSUPPORTED_OP', `model ${this.model.name}: ${hint} uses the batch size as data, which needs a fixed batch`, { batchAsData: true });
    }
    const data = v.dtype === 'float32' ? Float32Array.from(v.value) : v.dtype === 'int32' ? Int32Array.from(v.value) : Uint8Array.from(v.value);
    v.onnx = this.b.initializer(hint, v.dtype, v.shape, data);
    return v.onnx;
  }

  private known(v: Val, node: TfNodeDef, what: string): number[] {
    if (!v.value) throw this.unsupported(node, `${what} must be a constant`);
    return Array.from(v.value);
  }

  private unsupported(node: TfNodeDef, why?: string): FacekitError {
    return new FacekitError('UNSUPPORTED_OP', `model ${this.model.name}: op ${node.op} (node ${node.name}) ${why ?? 'is not supported by the TF-to-ONNX compiler'}`);
  }

  /** the graph computes with its batch size: compileTfGraph retries with a fixed batch */
  private batchDependent(node: TfNodeDef, why: string): FacekitError {
    return new FacekitError('UNSUPPORTED_OP', `model ${this.model.name}: op ${node.op} (node ${node.name}) ${why}`, { batchAsData: true });
  }

  // ---- attributes -----------------------------------------------------------------------

  private attr(node: TfNodeDef, key: string): TfAttrValue | undefined {
    return node.attr?.[key];
  }
  private attrInt(node: TfNodeDef, key: string, dflt: number): number {
    const a = this.attr(node, key) as { i?: string } | undefined;
    return a?.i !== undefined ? Number(a.i) : dflt;
  }
  private attrInts(node: TfNodeDef, key: string): number[] | undefined {
    const a = this.attr(node, key) as { list?: { i?: string[] } } | undefined;
    return a?.list ? (a.list.i ?? []).map(Number) : undefined;
  }
  private attrBool(node: TfNodeDef, key: string): boolean {
    return (this.attr(node, key) as { b?: boolean } | undefined)?.b === true;
  }
  private attrFloat(node: TfNodeDef, key: string, dflt: number): number {
    const a = this.attr(node, key) as { f?: number } | undefined;
    return a?.f !== undefined ? Number(a.f) : dflt;
  }
  private attrStr(node: TfNodeDef, key: string): string | undefined {
    const a = this.attr(node, key) as { s?: string } | undefined;
    return a?.s !== undefined ? Buffer.from(a.s, 'base64').toString('utf8') : undefined;
  }
  private attrStrs(node: TfNodeDef, key: string): string[] {
    const a = this.attr(node, key) as { list?: { s?: string[] } } | undefined;
    return (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
  }
  private attrType(node: TfNodeDef, key: string): Dtype | undefined {
    const t = (this.attr(node, key) as { type?: string } | undefined)?.type;
    if (t === undefined) return undefined;
    if (t === 'DT_FLOAT' || t === 'DT_DOUBLE' || t === 'DT_HALF') return 'float32'; // as TF.js does
    if (t === 'DT_INT32' || t === 'DT_INT64') return 'int32';
    if (t === 'DT_BOOL') return 'bool';
    throw this.unsupported(node, `uses dtype ${t}`);
  }

  // ---- emission helpers -----------------------------------------------------------------

  private emit(op: string, inputs: string[], node: TfNodeDef, attrs: Record<string, AttrValue> = {}, suffix = ''): string {
    return this.b.node(op, inputs, node.name + suffix, attrs);
  }
  private toNCHW(x: string, node: TfNodeDef): string {
    return this.emit('Transpose', [x], node, { perm: [0, 3, 1, 2] }, '/nchw');
  }
  private toNHWC(x: string, node: TfNodeDef): string {
    return this.emit('Transpose', [x], node, { perm: [0, 2, 3, 1] }, '/nhwc');
  }

  /** [top, left, bottom, right] pads of a conv or pool window, as TF computes them */
  private pads(node: TfNodeDef, inHW: number[], kHW: number[], strides: number[], dil: number[]): number[] {
    const padding = this.attrStr(node, 'padding') ?? 'VALID';
    if (padding === 'VALID') return [0, 0, 0, 0];
    if (padding === 'EXPLICIT') {
      const e = this.attrInts(node, 'explicit_paddings') ?? [];
      if (e.length !== 8) throw this.unsupported(node, 'has EXPLICIT padding without 8 explicit_paddings');
      return [e[2], e[4], e[3], e[5]];
    }
    if (padding !== 'SAME') throw this.unsupported(node, `has padding ${padding}`);
    const before: number[] = [];
    const after: number[] = [];
    for (let d = 0; d < 2; d++) {
      const out = Math.ceil(inHW[d] / strides[d]);
      const total = Math.max((out - 1) * strides[d] + (kHW[d] - 1) * dil[d] + 1 - inHW[d], 0);
      const small = Math.floor(total / 2);
      // TF puts the odd extra pixel at the end (bottom/right)
      before.push(this.opts.samePaddingExtraAtStart ? total - small : small);
      after.push(this.opts.samePaddingExtraAtStart ? small : total - small);
    }
    return [before[0], before[1], after[0], after[1]];
  }

  private checkNHWC(node: TfNodeDef): void {
    const f = this.attrStr(node, 'data_format');
    if (f && f !== 'NHWC') throw this.unsupported(node, `uses data_format ${f} (only NHWC is supported)`);
  }

  private hw(v: Val, node: TfNodeDef): [number, number] {
    if (v.shape.length !== 4 || v.shape[1] < 0 || v.shape[2] < 0) throw this.unsupported(node, `needs a static NHWC input shape, got [${v.shape}]`);
    return [v.shape[1], v.shape[2]];
  }

  // ---- translation ----------------------------------------------------------------------

  private translate(node: TfNodeDef): void {
    const op = node.op;
    const ins = () => this.inputs(node);
    switch (op) {
      case 'Const': {
        const w = this.model.weights.get(node.name);
        if (!w) throw this.unsupported(node, 'has no weight value');
        this.set(node, constVal(w));
        return;
      }
      case 'Placeholder':
        return this.placeholder(node);
      case 'Identity': case 'Snapshot': case 'StopGradient': case 'NoOp':
        this.set(node, ins()[0]);
        return;
      case 'Conv2D': case '_FusedConv2D': case 'DepthwiseConv2dNative': case 'FusedDepthwiseConv2dNative':
        return this.conv(node);
      case 'MaxPool': case 'AvgPool':
        return this.pool(node);
      case 'MatMul': case '_FusedMatMul': case 'BatchMatMulV2': case 'BatchMatMul':
        return this.matmul(node);
      case 'BiasAdd': case 'Add': case 'AddV2': case 'Sub': case 'Mul': case 'RealDiv': case 'Div':
      case 'Maximum': case 'Minimum': case 'Pow': case 'SquaredDifference': case 'FloorDiv':
        return this.binary(node);
      case 'AddN': {
        const xs = ins();
        if (xs.every((x) => x.value)) {
          let acc = xs[0];
          for (const x of xs.slice(1)) acc = foldBinary('Add', acc, x);
          this.set(node, acc);
          return;
        }
        const shape = xs.map((x) => x.shape).reduce((a, c) => broadcast(a, c));
        this.set(node, { dtype: xs[0].dtype, shape, onnx: this.emit('Sum', xs.map((x) => this.tensor(x, node.name)), node) });
        return;
      }
      case 'Relu': case 'Relu6': case 'Elu': case 'Sigmoid': case 'Tanh': case 'Abs': case 'Neg': case 'Exp':
      case 'Log': case 'Sqrt': case 'Rsqrt': case 'Square': case 'Reciprocal': case 'Floor': case 'Ceil':
      case 'LeakyRelu': case 'Softmax': case 'Sin': case 'Cos': case 'Round': case 'Sign':
        return this.unary(node);
      case 'Prelu': {
        const [x, alpha] = ins();
        this.set(node, { dtype: 'float32', shape: x.shape, onnx: this.emit('PRelu', [this.tensor(x), this.tensor(alpha, `${node.name}/alpha`)], node) });
        return;
      }
      case 'Cast': {
        const [x] = ins();
        const to = this.attrType(node, 'DstT') ?? 'float32';
        if (x.value) { this.set(node, { dtype: to, shape: x.shape, value: castValues(x.value, to) }); return; }
        if (x.dtype === to) { this.set(node, x); return; }
        this.set(node, { dtype: to, shape: x.shape, onnx: this.emit('Cast', [this.tensor(x)], node, { to: onnxTypeCode(to) }) });
        return;
      }
      case 'Mean': case 'Sum': case 'Max': case 'Min': case 'Prod':
        return this.reduce(node);
      case 'Reshape':
        return this.reshape(node);
      case 'Squeeze': {
        const [x] = ins();
        let axes = (this.attrInts(node, 'squeeze_dims') ?? this.attrInts(node, 'axis') ?? []).map((a) => (a < 0 ? a + x.shape.length : a));
        if (axes.length === 0) axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        for (const a of axes) if (x.shape[a] !== 1) throw this.unsupported(node, `squeezes axis ${a} of size ${x.shape[a]}`);
        const shape = x.shape.filter((_, i) => !axes.includes(i));
        if (x.value) { this.set(node, { ...x, shape, onnx: undefined }); return; }
        this.set(node, { dtype: x.dtype, shape, onnx: this.emit('Squeeze', [this.tensor(x), this.b.int64(`${node.name}/axes`, axes)], node) });
        return;
      }
      case 'ExpandDims': {
        const [x, dimV] = ins();
        let dim = this.known(dimV, node, 'dim')[0];
        if (dim < 0) dim += x.shape.length + 1;
        const shape = [...x.shape.slice(0, dim), 1, ...x.shape.slice(dim)];
        if (x.value) { this.set(node, { ...x, shape, onnx: undefined }); return; }
        this.set(node, { dtype: x.dtype, shape, onnx: this.emit('Unsqueeze', [this.tensor(x), this.b.int64(`${node.name}/axes`, [dim])], node) });
        return;
      }
      case 'ConcatV2': case 'Concat':
        return this.concat(node);
      case 'Pack':
        return this.pack(node);
      case 'Unpack': {
        const [x] = ins();
        const axis = normAxis(this.attrInt(node, 'axis', 0), x.shape.length);
        if (!x.value || axis !== 0 || x.shape.length !== 1) throw this.unsupported(node, 'is only supported on known 1-D values');
        Array.from(x.value).forEach((v, i) => this.set(node, { dtype: x.dtype, shape: [], value: [v] }, i));
        return;
      }
      case 'Shape': {
        const [x] = ins();
        this.set(node, { dtype: 'int32', shape: [x.shape.length], value: x.shape.map((d) => (d === BATCH ? NaN : d)) });
        return;
      }
      case 'StridedSlice':
        return this.stridedSlice(node);
      case 'Pad': case 'PadV2': case 'MirrorPad':
        return this.pad(node);
      case 'Transpose': {
        const [x, permV] = ins();
        const perm = this.known(permV, node, 'perm');
        this.set(node, { dtype: x.dtype, shape: perm.map((p) => x.shape[p]), onnx: this.emit('Transpose', [this.tensor(x)], node, { perm }) });
        return;
      }
      case 'DepthToSpace': {
        this.checkNHWC(node);
        const [x] = ins();
        const bs = this.attrInt(node, 'block_size', 2);
        const [h, w] = this.hw(x, node);
        const y = this.emit('DepthToSpace', [this.toNCHW(this.tensor(x), node)], node, { blocksize: bs, mode: 'DCR' }, '/d2s');
        this.set(node, { dtype: x.dtype, shape: [x.shape[0], h * bs, w * bs, x.shape[3] / (bs * bs)], onnx: this.toNHWC(y, node) });
        return;
      }
      case 'ResizeBilinear': case 'ResizeNearestNeighbor':
        return this.resize(node);
      case 'GreaterEqual': case 'LessEqual': case 'Greater': case 'Less': case 'Equal': case 'LogicalAnd': case 'LogicalOr':
        return this.compare(node);
      case 'Atan2':
        return this.atan2(node);
      case 'Range': {
        const [a, b, d] = ins().map((v, i) => this.known(v, node, ['start', 'limit', 'delta'][i])[0]);
        const vals: number[] = [];
        for (let v = a; d > 0 ? v < b : v > b; v += d) vals.push(v);
        const dtype = this.attrType(node, 'Tidx') ?? 'int32';
        this.set(node, { dtype, shape: [vals.length], value: castValues(vals, dtype) });
        return;
      }
      case 'Fill': {
        const [dV, v] = ins();
        const dims = this.known(dV, node, 'dims');
        const size = dims.reduce((p, q) => p * q, 1);
        if (v.value && size <= 65536) { this.set(node, { dtype: v.dtype, shape: dims, value: new Array<number>(size).fill(v.value[0]) }); return; }
        this.set(node, { dtype: v.dtype, shape: dims, onnx: this.emit('Expand', [this.tensor({ ...v, shape: [] }, `${node.name}/value`), this.b.int64(`${node.name}/dims`, dims)], node) });
        return;
      }
      case 'ZerosLike': case 'OnesLike': {
        const [x] = ins();
        if (x.shape.some((d) => d < 0)) throw this.unsupported(node, 'needs a static shape');
        const fill = node.op === 'ZerosLike' ? 0 : 1;
        const size = x.shape.reduce((p, q) => p * q, 1);
        if (size <= 65536) { this.set(node, { dtype: x.dtype, shape: x.shape, value: new Array<number>(size).fill(fill) }); return; }
        const one = this.tensor({ dtype: x.dtype, shape: [], value: [fill] }, `${node.name}/value`);
        this.set(node, { dtype: x.dtype, shape: x.shape, onnx: this.emit('Expand', [one, this.b.int64(`${node.name}/dims`, x.shape)], node) });
        return;
      }
      case 'Tile': {
        const [x, mV] = ins();
        const reps = this.known(mV, node, 'multiples');
        const shape = x.shape.map((d, i) => (d === BATCH ? (reps[i] === 1 ? d : NaN) : d * reps[i]));
        if (shape.some(Number.isNaN)) throw this.batchDependent(node, 'tiles the symbolic batch dimension');
        this.set(node, { dtype: x.dtype, shape, onnx: this.emit('Tile', [this.tensor(x, `${node.name}/x`), this.b.int64(`${node.name}/reps`, reps)], node) });
        return;
      }
      case 'GatherV2': case 'Gather': {
        const [params, indices, axisV] = ins();
        if (this.attrInt(node, 'batch_dims', 0) !== 0) throw this.unsupported(node, 'uses batch_dims');
        const axis = normAxis(axisV ? this.known(axisV, node, 'axis')[0] : 0, params.shape.length);
        const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
        if (params.value && indices.value && params.shape.length === 1) {
          const pv = params.value;
          this.set(node, { dtype: params.dtype, shape, value: Array.from(indices.value, (i) => pv[i < 0 ? i + pv.length : i]) });
          return;
        }
        this.set(node, { dtype: params.dtype, shape, onnx: this.emit('Gather', [this.tensor(params, `${node.name}/params`), this.tensor(indices, `${node.name}/indices`)], node, { axis }) });
        return;
      }
      default:
        throw this.unsupported(node);
    }
  }

  private placeholder(node: TfNodeDef): void {
    if (this.inputNode) throw this.unsupported(node, `is a second graph input (first: ${this.inputNode.name}); only one input is supported`);
    this.inputNode = node;
    const dims = (this.attr(node, 'shape') as { shape?: { dim?: { size: string }[] } } | undefined)?.shape?.dim?.map((d) => Number(d.size));
    const given = this.opts.inputShape;
    const rank = dims?.length ?? given?.length;
    if (!rank) throw this.unsupported(node, 'has no declared shape; pass inputShape');
    const shape: number[] = [];
    for (let i = 0; i < rank; i++) {
      if (i === 0) { shape.push(this.opts.fixedBatch ?? BATCH); continue; }
      const d = dims?.[i] !== undefined && dims[i] > 0 ? dims[i] : given?.[i];
      if (d === undefined || d <= 0) throw new FacekitError('BAD_ARGUMENT', `model ${this.model.name}: input ${node.name} has open dimension ${i}; pass inputShape`);
      if (given && given[i] > 0 && given[i] !== d) throw new FacekitError('BAD_ARGUMENT', `model ${this.model.name}: input ${node.name} has size ${d} on dimension ${i}, not ${given[i]}`);
      shape.push(d);
    }
    const name = this.opts.inputName ?? node.name;
    this.b.reserve(name);
    // the graph input is float even where TF takes int32 pixels (faceboxes): callers feed floats
    this.b.addInput(name, 'float32', shape);
    this.set(node, { dtype: 'float32', shape, onnx: name });
  }

  private conv(node: TfNodeDef): void {
    this.checkNHWC(node);
    const [x, f, ...args] = this.inputs(node);
    const depthwise = node.op.includes('Depthwise');
    const strides = this.attrInts(node, 'strides') ?? [1, 1, 1, 1];
    const dil = this.attrInts(node, 'dilations') ?? [1, 1, 1, 1];
    const [h, w] = this.hw(x, node);
    if (f.shape.length !== 4) throw this.unsupported(node, `has a filter of shape [${f.shape}]`);
    const [kh, kw, ci, m] = f.shape;
    const pads = this.pads(node, [h, w], [kh, kw], [strides[1], strides[2]], [dil[1], dil[2]]);
    const oh = Math.floor((h + pads[0] + pads[2] - (kh - 1) * dil[1] - 1) / strides[1]) + 1;
    const ow = Math.floor((w + pads[1] + pads[3] - (kw - 1) * dil[2] - 1) / strides[2]) + 1;
    const co = depthwise ? ci * m : m;
    let weight: string;
    if (f.value) {
      // HWIO -> OIHW; depthwise HW C M -> (C*M) 1 H W, output channel c*M+m as in TF
      const src = f.value;
      const out = new Float32Array(src.length);
      if (depthwise) {
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let c = 0; c < ci; c++) for (let k = 0; k < m; k++) {
          out[((c * m + k) * kh + y) * kw + xx] = src[((y * kw + xx) * ci + c) * m + k];
        }
        weight = this.b.initializer(`${node.name}/weight`, 'float32', [co, 1, kh, kw], out);
      } else {
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let c = 0; c < ci; c++) for (let k = 0; k < m; k++) {
          out[((k * ci + c) * kh + y) * kw + xx] = src[((y * kw + xx) * ci + c) * m + k];
        }
        weight = this.b.initializer(`${node.name}/weight`, 'float32', [co, ci, kh, kw], out);
      }
    } else {
      const t = this.emit('Transpose', [this.tensor(f)], node, { perm: depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1] }, '/weight');
      weight = depthwise ? this.emit('Reshape', [t, this.b.int64(`${node.name}/wshape`, [co, 1, kh, kw])], node, {}, '/weight') : t;
    }
    const fused = this.fusedOps(node, args);
    const convIn = [this.toNCHW(this.tensor(x), node), weight];
    if (fused.bias) convIn.push(this.tensor(fused.bias, `${node.name}/bias`));
    const y = this.emit('Conv', convIn, node, {
      kernel_shape: [kh, kw], strides: [strides[1], strides[2]], dilations: [dil[1], dil[2]], pads, group: depthwise ? ci : 1,
    }, '/conv');
    const out = this.activation(this.toNHWC(y, node), fused, node);
    this.set(node, { dtype: 'float32', shape: [x.shape[0], oh, ow, co], onnx: out });
  }

  /** fused_ops of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul, read as TF.js does */
  private fusedOps(node: TfNodeDef, args: Val[]): { bias?: Val; activation?: string; prelu?: Val; alpha: number } {
    if (!node.op.startsWith('_Fused') && !node.op.startsWith('Fused')) return { alpha: 0.2 };
    const [extra, act] = this.attrStrs(node, 'fused_ops').map((s) => s.toLowerCase());
    if (extra === 'fusedbatchnorm') throw this.unsupported(node, 'fuses FusedBatchNorm (TF.js does not support it either)');
    let bias: Val | undefined = args[0];
    let prelu: Val | undefined = args[1];
    if (extra !== 'biasadd') { prelu = bias; bias = undefined; }
    const activation = extra === 'biasadd' ? act : extra;
    return { bias, activation, prelu, alpha: this.attrFloat(node, 'leakyrelu_alpha', 0.2) };
  }

  private activation(x: string, f: { activation?: string; prelu?: Val; alpha: number }, node: TfNodeDef): string {
    switch (f.activation) {
      case undefined: case 'linear': return x;
      case 'relu': return this.emit('Relu', [x], node, {}, '/relu');
      case 'relu6': return this.emit('Clip', [x, this.b.float(`${node.name}/zero`, [0], []), this.b.float(`${node.name}/six`, [6], [])], node, {}, '/relu6');
      case 'elu': return this.emit('Elu', [x], node, {}, '/elu');
      case 'sigmoid': return this.emit('Sigmoid', [x], node, {}, '/sigmoid');
      case 'leakyrelu': return this.emit('LeakyRelu', [x], node, { alpha: { float: f.alpha } }, '/leakyrelu');
      case 'prelu':
        if (!f.prelu) throw this.unsupported(node, 'fuses Prelu without alpha');
        return this.emit('PRelu', [x, this.tensor(f.prelu, `${node.name}/alpha`)], node, {}, '/prelu');
      default: throw this.unsupported(node, `fuses activation ${f.activation}`);
    }
  }

  private pool(node: TfNodeDef): void {
    this.checkNHWC(node);
    const [x] = this.inputs(node);
    const k = this.attrInts(node, 'ksize') ?? [1, 1, 1, 1];
    const s = this.attrInts(node, 'strides') ?? [1, 1, 1, 1];
    const [h, w] = this.hw(x, node);
    const pads = this.pads(node, [h, w], [k[1], k[2]], [s[1], s[2]], [1, 1]);
    const oh = Math.floor((h + pads[0] + pads[2] - k[1]) / s[1]) + 1;
    const ow = Math.floor((w + pads[1] + pads[3] - k[2]) / s[2]) + 1;
    // TF's SAME average pooling divides by the in-image count, ONNX's count_include_pad=0
    const y = this.emit(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [this.toNCHW(this.tensor(x), node)], node, {
      kernel_shape: [k[1], k[2]], strides: [s[1], s[2]], pads,
    }, '/pool');
    this.set(node, { dtype: 'float32', shape: [x.shape[0], oh, ow, x.shape[3]], onnx: this.toNHWC(y, node) });
  }

  private matmul(node: TfNodeDef): void {
    const [a, bv, ...args] = this.inputs(node);
    const batchMode = node.op.startsWith('BatchMatMul');
    const ta = this.attrBool(node, batchMode ? 'adj_x' : 'transpose_a');
    const tb = this.attrBool(node, batchMode ? 'adj_y' : 'transpose_b');
    const swapLast = (v: Val, hint: string): string => {
      const r = v.shape.length;
      if (v.value && r === 2) {
        const [rows, cols] = v.shape;
        const out = new Float32Array(v.value.length);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = v.value[i * cols + j];
        return this.b.initializer(hint, 'float32', [cols, rows], out);
      }
      const perm = [...Array(r).keys()];
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return this.emit('Transpose', [this.tensor(v, hint)], node, { perm }, '/t');
    };
    const A = ta ? swapLast(a, `${node.name}/a`) : this.tensor(a, `${node.name}/a`);
    const B = tb ? swapLast(bv, `${node.name}/b`) : this.tensor(bv, `${node.name}/b`);
    const ra = a.shape.length;
    const rb = bv.shape.length;
    const rows = ta ? a.shape[ra - 1] : a.shape[ra - 2];
    const cols = tb ? bv.shape[rb - 2] : bv.shape[rb - 1];
    const lead = broadcast(a.shape.slice(0, -2), bv.shape.slice(0, -2));
    const fused = this.fusedOps(node, args);
    let y = this.emit('MatMul', [A, B], node, {}, fused.bias || fused.activation ? '/matmul' : '');
    if (fused.bias) y = this.emit('Add', [y, this.tensor(fused.bias, `${node.name}/bias`)], node, {}, '/bias');
    y = this.activation(y, fused, node);
    this.set(node, { dtype: 'float32', shape: [...lead, rows, cols], onnx: y });
  }

  private binary(node: TfNodeDef): void {
    const [a, bv] = this.inputs(node);
    if (a.value && bv.value && a.value.length <= 4096 && bv.value.length <= 4096) {
      this.set(node, foldBinary(node.op, a, bv));
      return;
    }
    const shape = broadcast(a.shape, bv.shape);
    const A = this.tensor(a, `${node.name}/x`);
    const B = this.tensor(bv, `${node.name}/y`);
    const ops: Record<string, string> = {
      BiasAdd: 'Add', Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Div: 'Div',
      Maximum: 'Max', Minimum: 'Min', Pow: 'Pow',
    };
    let y: string;
    if (node.op === 'SquaredDifference') {
      const d = this.emit('Sub', [A, B], node, {}, '/diff');
      y = this.emit('Mul', [d, d], node);
    } else if (node.op === 'FloorDiv') {
      y = this.emit('Floor', [this.emit('Div', [A, B], node, {}, '/div')], node);
    } else {
      if (node.op === 'BiasAdd') this.checkNHWC(node);
      y = this.emit(ops[node.op], [A, B], node);
    }
    this.set(node, { dtype: a.dtype, shape, onnx: y });
  }

  private compare(node: TfNodeDef): void {
    const [a, bv] = this.inputs(node);
    const shape = broadcast(a.shape, bv.shape);
    const onnxOp = { GreaterEqual: 'GreaterOrEqual', LessEqual: 'LessOrEqual', Greater: 'Greater', Less: 'Less', Equal: 'Equal', LogicalAnd: 'And', LogicalOr: 'Or' }[node.op]!;
    this.set(node, { dtype: 'bool', shape, onnx: this.emit(onnxOp, [this.tensor(a, `${node.name}/x`), this.tensor(bv, `${node.name}/y`)], node) });
  }

  /** ONNX has no atan2: atan(y/x), moved by +-pi where x < 0 (x = 0 gives +-pi/2 via y/0 = +-inf) */
  private atan2(node: TfNodeDef): void {
    const [yv, xv] = this.inputs(node);
    const y = this.tensor(yv, `${node.name}/y`);
    const x = this.tensor(xv, `${node.name}/x`);
    const zero = this.b.float(`${node.name}/zero`, [0], []);
    const base = this.emit('Atan', [this.emit('Div', [y, x], node, {}, '/div')], node, {}, '/atan');
    const shift = this.emit('Where', [
      this.emit('Less', [x, zero], node, {}, '/xneg'),
      this.emit('Where', [this.emit('GreaterOrEqual', [y, zero], node, {}, '/ypos'), this.b.float(`${node.name}/pi`, [Math.PI], []), this.b.float(`${node.name}/mpi`, [-Math.PI], [])], node, {}, '/pm'),
      zero,
    ], node, {}, '/shift');
    this.set(node, { dtype: 'float32', shape: broadcast(yv.shape, xv.shape), onnx: this.emit('Add', [base, shift], node) });
  }

  private unary(node: TfNodeDef): void {
    const [x] = this.inputs(node);
    if (x.value && ['Neg', 'Floor', 'Ceil', 'Abs', 'Round', 'Sign'].includes(node.op)) {
      const f: Record<string, (v: number) => number> = { Neg: (v) => -v, Floor: Math.floor, Ceil: Math.ceil, Abs: Math.abs, Round: roundHalfEven, Sign: Math.sign };
      this.set(node, { dtype: x.dtype, shape: x.shape, value: Array.from(x.value, f[node.op]) });
      return;
    }
    const X = this.tensor(x, `${node.name}/x`);
    let y: string;
    switch (node.op) {
      case 'Relu6': y = this.emit('Clip', [X, this.b.float(`${node.name}/zero`, [0], []), this.b.float(`${node.name}/six`, [6], [])], node); break;
      case 'Rsqrt': y = this.emit('Reciprocal', [this.emit('Sqrt', [X], node, {}, '/sqrt')], node); break;
      case 'Square': y = this.emit('Mul', [X, X], node); break;
      case 'LeakyRelu': y = this.emit('LeakyRelu', [X], node, { alpha: { float: this.attrFloat(node, 'alpha', 0.2) } }); break;
      case 'Softmax': y = this.emit('Softmax', [X], node, { axis: -1 }); break;
      default: y = this.emit(node.op, [X], node);
    }
    this.set(node, { dtype: x.dtype, shape: x.shape, onnx: y });
  }

  private reduce(node: TfNodeDef): void {
    const [x, axesV] = this.inputs(node);
    const r = x.shape.length;
    const axes = [...new Set(this.known(axesV, node, 'reduction axes').map((a) => normAxis(a, r)))].sort();
    const keep = this.attrBool(node, 'keep_dims');
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const X = this.tensor(x);
    const opName = { Mean: 'ReduceMean', Sum: 'ReduceSum', Max: 'ReduceMax', Min: 'ReduceMin', Prod: 'ReduceProd' }[node.op]!;
    const y = axes.length === 0
      ? this.emit('Identity', [X], node)
      : opName === 'ReduceSum'
        ? this.emit(opName, [X, this.b.int64(`${node.name}/axes`, axes)], node, { keepdims: keep ? 1 : 0 })
        : this.emit(opName, [X], node, { axes, keepdims: keep ? 1 : 0 });
    this.set(node, { dtype: x.dtype, shape, onnx: y });
  }

  private reshape(node: TfNodeDef): void {
    const [x, sv] = this.inputs(node);
    const target = this.known(sv, node, 'the target shape');
    const fixedIn = x.shape.slice(x.shape[0] === BATCH ? 1 : 0);
    if (fixedIn.some((d) => d < 0)) throw this.unsupported(node, `reshapes a tensor of unknown shape [${x.shape}]`);
    const size = fixedIn.reduce((p, d) => p * d, 1);
    const shape = target.slice();
    const onnxShape = target.slice();
    if (x.shape[0] === BATCH) {
      // the batch stays the leading dimension: TF graphs spell it as a hard-coded 1, -1 or Shape()[0]
      if (!(Number.isNaN(shape[0]) || shape[0] === 1 || shape[0] === -1)) throw this.batchDependent(node, `reshapes the batch dimension away (target [${target}])`);
      if (shape[0] === -1 && shape.slice(1).includes(-1)) throw this.unsupported(node, `has two open dimensions (target [${target}])`);
      shape[0] = BATCH;
      onnxShape[0] = 0;
    }
    const rest = shape.map((d, i) => (i === 0 && d === BATCH && x.shape[0] === BATCH ? 1 : d));
    const open = rest.indexOf(-1);
    const known = rest.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (open >= 0) { shape[open] = size / known; if (!Number.isInteger(shape[open])) throw this.unsupported(node, `cannot reshape [${x.shape}] to [${target}]`); }
    else if (known !== size) throw this.unsupported(node, `cannot reshape [${x.shape}] to [${target}]`);
    if (x.value) { this.set(node, { ...x, shape, onnx: undefined }); return; }
    const y = this.emit('Reshape', [this.tensor(x), this.b.int64(`${node.name}/shape`, onnxShape.map((d) => (Number.isNaN(d) ? 0 : d)))], node);
    this.set(node, { dtype: x.dtype, shape, onnx: y });
  }

  private concat(node: TfNodeDef): void {
    const all = this.inputs(node);
    const axisV = node.op === 'Concat' ? all.shift()! : all.pop()!;
    const xs = all;
    const r = xs[0].shape.length;
    const axis = normAxis(this.known(axisV, node, 'axis')[0], r);
    const shape = xs[0].shape.slice();
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
    if (xs.every((x) => x.value) && r === 1) {
      this.set(node, { dtype: xs[0].dtype, shape, value: xs.flatMap((x) => Array.from(x.value!)) });
      return;
    }
    this.set(node, { dtype: xs[0].dtype, shape, onnx: this.emit('Concat', xs.map((x, i) => this.tensor(x, `${node.name}/${i}`)), node, { axis }) });
  }

  private pack(node: TfNodeDef): void {
    const xs = this.inputs(node);
    const r = xs[0].shape.length;
    const axis = normAxis(this.attrInt(node, 'axis', 0), r + 1);
    const shape = [...xs[0].shape.slice(0, axis), xs.length, ...xs[0].shape.slice(axis)];
    if (xs.every((x) => x.value) && r === 0) {
      this.set(node, { dtype: xs[0].dtype, shape, value: xs.map((x) => x.value![0]) });
      return;
    }
    const parts = xs.map((x, i) => this.emit('Unsqueeze', [this.tensor(x, `${node.name}/${i}`), this.b.int64(`${node.name}/axes`, [axis])], node, {}, `/${i}`));
    this.set(node, { dtype: xs[0].dtype, shape, onnx: this.emit('Concat', parts, node, { axis }) });
  }

  private stridedSlice(node: TfNodeDef): void {
    const [x, bV, eV, sV] = this.inputs(node);
    const begin = this.known(bV, node, 'begin');
    const end = this.known(eV, node, 'end');
    const strides = this.known(sV, node, 'strides');
    const bit = (key: string, i: number) => (this.attrInt(node, key, 0) & (1 << i)) !== 0;
    const r = x.shape.length;
    // TF's sparse spec -> one entry per input dimension, plus where new axes appear in the output
    const realSpecs = begin.filter((_, i) => !bit('ellipsis_mask', i) && !bit('new_axis_mask', i)).length;
    type Dense = { b: number; e: number; st: number; bm: boolean; em: boolean; shrink: boolean };
    const dense: Dense[] = [];
    const layout: ({ dim: number } | { newAxis: true })[] = [];
    const full = (): Dense => ({ b: 0, e: 0, st: 1, bm: true, em: true, shrink: false });
    for (let i = 0; i < begin.length; i++) {
      if (bit('ellipsis_mask', i)) {
        for (let k = 0; k < r - realSpecs; k++) { layout.push({ dim: dense.length }); dense.push(full()); }
      } else if (bit('new_axis_mask', i)) {
        layout.push({ newAxis: true });
      } else {
        layout.push({ dim: dense.length });
        dense.push({ b: begin[i], e: end[i], st: strides[i], bm: bit('begin_mask', i), em: bit('end_mask', i), shrink: bit('shrink_axis_mask', i) });
      }
    }
    while (dense.length < r) { layout.push({ dim: dense.length }); dense.push(full()); }
    const starts: number[] = [];
    const ends: number[] = [];
    const steps: number[] = [];
    const axes: number[] = [];
    const sizes: number[] = [];
    dense.forEach((d, i) => {
      const dim = x.shape[i];
      if (d.shrink) {
        starts.push(d.b); ends.push(d.b === -1 ? Number.MAX_SAFE_INTEGER : d.b + 1); steps.push(1); axes.push(i); sizes.push(1);
        return;
      }
      const st = d.st;
      const s0 = d.bm ? (st > 0 ? 0 : Number.MAX_SAFE_INTEGER) : d.b;
      const e0 = d.em ? (st > 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER) : d.e;
      const whole = s0 === 0 && e0 === Number.MAX_SAFE_INTEGER && st === 1;
      if (dim === BATCH) {
        if (!whole) throw this.batchDependent(node, 'slices the batch dimension');
        sizes.push(BATCH);
        return;
      }
      sizes.push(sliceLen(dim, s0, e0, st));
      if (!whole) { starts.push(s0); ends.push(e0); steps.push(st); axes.push(i); }
    });
    const shape: number[] = [];
    for (const l of layout) {
      if ('newAxis' in l) shape.push(1);
      else if (!dense[l.dim].shrink) shape.push(sizes[l.dim]);
    }
    if (x.value) {
      if (r !== 1 || layout.some((l) => 'newAxis' in l)) throw this.unsupported(node, 'slices a known value of rank > 1');
      this.set(node, { dtype: x.dtype, shape, value: foldSlice(x, starts, ends, steps, axes) });
      return;
    }
    let y = this.tensor(x);
    if (axes.length) {
      y = this.emit('Slice', [y, this.b.int64(`${node.name}/starts`, starts), this.b.int64(`${node.name}/ends`, ends),
        this.b.int64(`${node.name}/axes`, axes), this.b.int64(`${node.name}/steps`, steps)], node, {}, '/slice');
    }
    const sameShape = shape.length === r && shape.every((d, i) => d === sizes[i]);
    if (!sameShape) {
      const batches = shape.filter((d) => d === BATCH).length;
      if (batches > 1) throw this.batchDependent(node, 'moves the batch dimension');
      y = this.emit('Reshape', [y, this.b.int64(`${node.name}/shape`, shape)], node, {}, '/reshape');
    }
    this.set(node, { dtype: x.dtype, shape, onnx: this.emit('Identity', [y], node) });
  }

  private pad(node: TfNodeDef): void {
    const [x, pV, cV] = this.inputs(node);
    const p = this.known(pV, node, 'paddings');
    const r = x.shape.length;
    const before = [...Array(r).keys()].map((i) => p[2 * i]);
    const after = [...Array(r).keys()].map((i) => p[2 * i + 1]);
    if (x.shape[0] === BATCH && (before[0] || after[0])) throw this.batchDependent(node, 'pads the batch dimension');
    const shape = x.shape.map((d, i) => (d === BATCH ? d : d + before[i] + after[i]));
    let mode = 'constant';
    if (node.op === 'MirrorPad') {
      const m = this.attrStr(node, 'mode');
      if (m !== 'REFLECT') throw this.unsupported(node, `uses mode ${m}`);
      mode = 'reflect';
    }
    const inputs = [this.tensor(x), this.b.int64(`${node.name}/pads`, [...before, ...after])];
    if (cV) inputs.push(this.tensor({ ...cV, shape: [] }, `${node.name}/value`));
    this.set(node, { dtype: x.dtype, shape, onnx: this.emit('Pad', inputs, node, { mode }) });
  }

  private resize(node: TfNodeDef): void {
    const [x, sizeV] = this.inputs(node);
    const [oh, ow] = this.known(sizeV, node, 'size');
    const [h, w] = this.hw(x, node);
    const align = this.attrBool(node, 'align_corners');
    const half = this.attrBool(node, 'half_pixel_centers');
    const nearest = node.op === 'ResizeNearestNeighbor';
    const ctm = align ? 'align_corners' : half ? (nearest ? 'tf_half_pixel_for_nn' : 'half_pixel') : 'asymmetric';
    const attrs: Record<string, AttrValue> = { mode: nearest ? 'nearest' : 'linear', coordinate_transformation_mode: ctm };
    if (nearest) attrs.nearest_mode = align ? 'round_prefer_ceil' : 'floor';
    const roi = this.b.float(`${node.name}/roi`, [], [0]);
    const scales = this.b.float(`${node.name}/scales`, [1, 1, oh / h, ow / w]);
    const y = this.emit('Resize', [this.toNCHW(this.tensor(x), node), roi, scales], node, attrs, '/resize');
    this.set(node, { dtype: 'float32', shape: [x.shape[0], oh, ow, x.shape[3]], onnx: this.toNHWC(y, node) });
  }
}

// ---- small helpers: shapes and folding of known values -------------------------------------

function constVal(w: TfTensor): Val {
  return { dtype: w.dtype, shape: w.shape, value: w.data };
}

function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}

function broadcast(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x === BATCH || y === BATCH ? BATCH : Math.max(x, y));
  }
  return out;
}

function sliceLen(dim: number, s: number, e: number, st: number): number {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let b = s < 0 ? s + dim : s;
  let en = e < 0 && e > -Number.MAX_SAFE_INTEGER ? e + dim : e;
  if (st > 0) { b = clamp(b, 0, dim); en = clamp(en, 0, dim); return Math.max(0, Math.ceil((en - b) / st)); }
  b = clamp(b, -1, dim - 1); en = clamp(en, -1, dim - 1);
  return Math.max(0, Math.ceil((en - b) / st));
}

function foldSlice(x: Val, starts: number[], ends: number[], steps: number[], axes: number[]): number[] {
  if (x.shape.length !== 1) throw new FacekitError('UNSUPPORTED_OP', 'StridedSlice of a known value is only supported on 1-D values');
  const v = Array.from(x.value!);
  if (axes.length === 0) return v;
  const n = v.length;
  let b = starts[0] < 0 ? starts[0] + n : Math.min(starts[0], n);
  let e = ends[0] < 0 && ends[0] > -Number.MAX_SAFE_INTEGER ? ends[0] + n : Math.min(ends[0], n);
  const out: number[] = [];
  if (steps[0] > 0) for (b = Math.max(b, 0); b < e; b += steps[0]) out.push(v[b]);
  else for (b = Math.min(b, n - 1), e = Math.max(e, -1); b > e; b += steps[0]) out.push(v[b]);
  return out;
}

function foldBinary(op: string, a: Val, b: Val): Val {
  const shape = broadcast(a.shape, b.shape);
  const size = shape.reduce((p, d) => p * d, 1);
  const idx = (v: Val, flat: number): number => {
    // map an output index to the (broadcast) input index
    let rem = flat;
    let off = 0;
    let mul = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      const coord = rem % shape[i];
      rem = Math.floor(rem / shape[i]);
      const j = v.shape.length - shape.length + i;
      if (j >= 0) { off += (v.shape[j] === 1 ? 0 : coord) * mul; mul *= v.shape[j]; }
    }
    return off;
  };
  const f: Record<string, (x: number, y: number) => number> = {
    BiasAdd: (x, y) => x + y, Add: (x, y) => x + y, AddV2: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y,
    RealDiv: (x, y) => x / y, Div: (x, y) => x / y, Maximum: Math.max, Minimum: Math.min, Pow: Math.pow,
    SquaredDifference: (x, y) => (x - y) * (x - y), FloorDiv: (x, y) => Math.floor(x / y),
  };
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = f[op](a.value![idx(a, i)], b.value![idx(b, i)]);
  const dtype = a.dtype;
  return { dtype, shape, value: castValues(out, dtype) };
}

function castValues(v: ArrayLike<number>, to: Dtype): number[] {
  const arr = Array.from(v);
  if (to === 'float32') return arr.map((x) => Math.fround(x));
  if (to === 'int32') return arr.map((x) => (Number.isNaN(x) ? x : Math.trunc(x)));
  return arr.map((x) => (x ? 1 : 0));
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function onnxTypeCode(t: Dtype): number {
  return { float32: 1, int32: 6, bool: 9 }[t];
}

/** Nodes nothing else reads: a graph's own outputs. */
function naturalOutputs(model: TfGraphModel): string[] {
  const consumed = new Set<string>();
  for (const n of model.nodes) for (const i of n.input ?? []) consumed.add(i.replace(/^\^/, '').split(':')[0]);
  return model.nodes.filter((n) => !consumed.has(n.name) && !['Const', 'NoOp', 'Placeholder'].includes(n.op)).map((n) => n.name);
}

/** Compiles a TF graph (from a model.json or a face-api builder) to ONNX ModelProto bytes. */
export function compileTfGraph(model: TfGraphModel, opts: CompileOptions = {}): Uint8Array {
  // outputs come from the graph as written: fused-away chains must not turn into outputs
  const outputs = opts.outputs?.length ? opts.outputs : naturalOutputs(model);
  const graph = opts.fusePatterns === false ? model : fuseActivationPatterns(model, opts);
  try {
    return new Compiler(graph, { ...opts, outputs }).compile();
  } catch (e) {
    // a graph that computes with its own batch size cannot keep it symbolic: pin it to 1
    if (e instanceof FacekitError && e.details?.batchAsData && opts.fixedBatch === undefined) return new Compiler(graph, { ...opts, outputs, fixedBatch: 1 }).compile();
    throw e;
  }
}

export type { OnnxDtype };
