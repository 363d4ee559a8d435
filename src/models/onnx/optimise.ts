import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

/**
 * A graph rewrite for ONNX files shipped ready-made (record flag `optimise`), so ONNX Runtime's
 * CPU provider runs them at the speed of their convolutions:
 *
 * - PReLU after a convolution becomes convolutions and a Relu. ORT's layout pass (NCHWc, level
 *   'all') runs Conv, Relu, Add and per-channel 1x1 depthwise Conv in its blocked layout but not
 *   PRelu, so every PRelu costs a reorder out, the PRelu kernel itself (slow with per-channel
 *   slopes) and a reorder back. In fr_feature, 33 PReLUs took about half of each run. With
 *   y = conv(x) and per-channel slope a, PReLU(y) = a*y + (1-a)*Relu(y), written as:
 *     - after a cheap convolution (depthwise, or the 3-channel stem): two copies of it,
 *       conv_{a}(x) + Relu(conv_{|1-a|}(x)) (times sign(1-a) by a 1x1 depthwise conv only where
 *       some slope exceeds 1): the Relu and the Add fuse into the convolutions;
 *     - after anything else (a dense convolution, which would cost more to double, or a residual
 *       Add as in the BlazeFace-style mesh and iris nets): r = Relu(y), then
 *       dw1x1_{a}(y) + dw1x1_{1-a}(r), three cheap passes in the blocked layout.
 * - A batch dimension fixed at 1 becomes symbolic, and a Reshape to [1, ...] keeps the batch
 *   (0 = copy the input's dimension), so eval, clustering and group photos run faces as one batch.
 *   Only done when every node is of a kind whose meaning does not depend on the batch.
 *
 * BatchNormalization after Conv is not folded here: ORT folds it itself at every optimisation level
 * (ConvBNFusion), and PyTorch's export already folded fr_feature's. The rewrite is exact up to
 * float rounding (test/runtime/optimise.test.ts checks parity against the shipped file).
 */
export function optimiseOnnx(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) return bytes;
  const g = new GraphEdit(graph);
  g.rewritePRelu();
  g.makeBatchDynamic();
  g.finish();
  return onnx.ModelProto.encode(model).finish();
}

const num = (v: number | LongLike | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());
interface LongLike { toNumber(): number }

/** A tensor's raw bytes in a buffer of their own (decoded bytes are an unaligned view into the file; Buffer#slice copies nothing). */
const copyBytes = (raw: Uint8Array): ArrayBuffer => Uint8Array.prototype.slice.call(raw).buffer;

/** Ops whose meaning does not change with the batch size (a Reshape is checked on its own). */
const BATCH_FREE = new Set(['Conv', 'PRelu', 'Relu', 'Add', 'Mul', 'Sub', 'BatchNormalization', 'Clip', 'Sigmoid', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Reshape']);

class GraphEdit {
  private readonly inits = new Map<string, Tensor>();
  private counter = 0;

  constructor(private readonly graph: onnxProto.onnx.IGraphProto) {
    for (const t of graph.initializer ?? []) if (t.name) this.inits.set(t.name, t);
  }

  private fresh(base: string): string {
    return `${base}__opt${++this.counter}`;
  }

  private floats(name: string | null | undefined): Float32Array | undefined {
    const t = name ? this.inits.get(name) : undefined;
    if (!t || t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
    if (t.rawData && t.rawData.length > 0) return new Float32Array(copyBytes(t.rawData));
    return Float32Array.from(t.floatData ?? []);
  }

  private dims(name: string): number[] {
    return (this.inits.get(name)?.dims ?? []).map(num);
  }

  private addFloats(base: string, dims: number[], data: Float32Array): string {
    const name = this.fresh(base);
    this.inits.set(name, { name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  private consumers(): Map<string, Node[]> {
    const m = new Map<string, Node[]>();
    for (const n of this.graph.node ?? []) for (const i of n.input ?? []) m.set(i, [...(m.get(i) ?? []), n]);
    for (const o of this.graph.output ?? []) if (o.name) m.set(o.name, [...(m.get(o.name) ?? []), { opType: '(graph output)' }]);
    return m;
  }

  private intAttr(n: Node, name: string, fallback: number): number {
    const a = n.attribute?.find((x) => x.name === name);
    return a ? num(a.i) : fallback;
  }

  /** a Conv copying `like`'s attributes with new weights and bias */
  private conv(like: Node, input: string, w: Float32Array, wDims: number[], b: Float32Array, output: string): Node {
    return {
      opType: 'Conv', name: output, output: [output],
      input: [input, this.addFloats('w', wDims, w), this.addFloats('b', [b.length], b)],
      attribute: like.attribute,
    };
  }

  /** x * scale per channel, as a 1x1 depthwise Conv (runs in ORT's blocked layout) */
  private channelScale(input: string, scale: Float32Array, output: string): Node {
    const c = scale.length;
    return {
      opType: 'Conv', name: output, output: [output],
      input: [input, this.addFloats('s', [c, 1, 1, 1], scale), this.addFloats('z', [c], new Float32Array(c))],
      attribute: [{ name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: c }, { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] }],
    };
  }

  rewritePRelu(): void {
    const nodes = this.graph.node ?? [];
    const producer = new Map<string, Node>();
    for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
    const consumers = this.consumers();
    const replace = new Map<Node, Node[]>();
    for (const p of nodes) {
      if (p.opType !== 'PRelu' || !p.input || !p.output) continue;
      const y = p.input[0];
      const slope = this.floats(p.input[1]);
      if (!slope) continue;
      // per-channel slopes must be shaped [C,1,1] or [1,C,1,1] (a plain [C] would broadcast over width)
      const sDims = this.dims(p.input[1]);
      const perChannelShape = sDims.length >= 3 && sDims.slice(-2).every((d) => d === 1) && sDims.slice(0, -3).every((d) => d === 1);
      const conv = producer.get(y);
      const w = conv?.opType === 'Conv' && conv.input?.[1] ? this.floats(conv.input[1]) : undefined;
      const wDims = w && conv?.input?.[1] ? this.dims(conv.input[1]) : [];
      // the channel count: the producing convolution's outputs, else the slopes' own
      const channels = wDims.length === 4 ? wDims[0] : perChannelShape ? slope.length : 0;
      if (!channels || !(slope.length === 1 || (perChannelShape && slope.length === channels))) continue;
      const a = slope.length === channels ? slope : new Float32Array(channels).fill(slope[0]);
      const out = p.output[0];
      const ownConv = conv && w && wDims.length === 4 && !replace.has(conv) && (consumers.get(y) ?? []).length === 1;
      const group = conv ? this.intAttr(conv, 'group', 1) : 1;
      const cheap = ownConv && ((group > 1 && group === channels) || wDims[1] <= 4);
      if (cheap && conv?.input && w) {
        const b = (conv.input[2] && this.floats(conv.input[2])) || new Float32Array(channels);
        const per = w.length / channels;
        const scaled = (s: (c: number) => number): [Float32Array, Float32Array] => {
          const ws = new Float32Array(w.length);
          for (let i = 0; i < w.length; i++) ws[i] = w[i] * s(Math.floor(i / per));
          return [ws, b.map((v, c) => v * s(c))];
        };
        const linear = this.fresh(`${out}_linear`);
        let rect = this.fresh(`${out}_rect`);
        const [wa, ba] = scaled((c) => a[c]);
        const [wr, br] = scaled((c) => Math.abs(1 - a[c]));
        const rectConv = this.fresh(`${out}_rectconv`);
        const seq: Node[] = [this.conv(conv, conv.input[0], wa, wDims, ba, linear), this.conv(conv, conv.input[0], wr, wDims, br, rectConv), { opType: 'Relu', name: rect, input: [rectConv], output: [rect] }];
        if (a.some((v) => v > 1)) {
          const signed = this.fresh(`${out}_signed`);
          seq.push(this.channelScale(rect, a.map((v) => (v > 1 ? -1 : 1)), signed));
          rect = signed;
        }
        seq.push({ opType: 'Add', name: out, input: [linear, rect], output: [out] });
        replace.set(conv, []);
        replace.set(p, seq);
      } else {
        const rect = this.fresh(`${y}_relu`);
        const t1 = this.fresh(`${out}_a`);
        const t2 = this.fresh(`${out}_b`);
        replace.set(p, [
          { opType: 'Relu', name: rect, input: [y], output: [rect] },
          this.channelScale(y, a, t1),
          this.channelScale(rect, a.map((v) => 1 - v), t2),
          { opType: 'Add', name: out, input: [t1, t2], output: [out] },
        ]);
      }
    }
    if (replace.size === 0) return;
    this.graph.node = nodes.flatMap((n) => replace.get(n) ?? [n]);
  }

  makeBatchDynamic(): void {
    const nodes = this.graph.node ?? [];
    if (!nodes.every((n) => BATCH_FREE.has(n.opType ?? ''))) return;
    const reshapeShapes: Tensor[] = [];
    for (const n of nodes) {
      if (n.opType !== 'Reshape') continue;
      const t = n.input?.[1] ? this.inits.get(n.input[1]) : undefined;
      if (!t || t.dataType !== onnx.TensorProto.DataType.INT64) return;
      reshapeShapes.push(t);
    }
    const inputs = (this.graph.input ?? []).filter((v) => v.name && !this.inits.has(v.name));
    const values = [...inputs, ...(this.graph.output ?? [])];
    const batchDims = values.map((v) => v.type?.tensorType?.shape?.dim?.[0]);
    if (!batchDims.every((d) => d && num(d.dimValue) === 1)) return;
    for (const t of reshapeShapes) {
      const shape = t.rawData && t.rawData.length ? new BigInt64Array(copyBytes(t.rawData)) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(num(v))));
      if (shape.length === 0 || (shape[0] !== 1n && shape[0] !== 0n)) return;
      shape[0] = 0n; // copy the input's batch
      t.rawData = new Uint8Array(shape.buffer);
      t.int64Data = [];
    }
    for (const d of batchDims) {
      d!.dimValue = null;
      d!.dimParam = 'batch';
    }
    // shapes inferred for batch 1 would contradict the new inputs
    this.graph.valueInfo = [];
  }

  finish(): void {
    const used = new Set((this.graph.node ?? []).flatMap((n) => n.input ?? []));
    this.graph.initializer = [...this.inits.values()].filter((t) => t.name && used.has(t.name));
    this.graph.input = (this.graph.input ?? []).filter((v) => !v.name || !this.inits.has(v.name) || used.has(v.name));
  }
}

/**
 * ONNX Runtime's own level-'extended' rewrite of a graph, as ONNX bytes: constant folding, the
 * transpose optimiser (which folds the NHWC<->NCHW transposes the TF.js compiler writes around
 * every convolution, leaving PReLUs on NCHW tensors with [C,1,1] slopes, the shape the PReLU
 * rewrite needs) and its operator fusions. Not level 'all': that graph is laid out for this CPU's
 * vector width, and the session layer derives it per machine from the cached file anyway.
 */
export async function ortFoldedGraph(bytes: Uint8Array): Promise<Uint8Array> {
  const ort = await import('onnxruntime-node');
  const dir = mkdtempSync(join(tmpdir(), 'facekit-ort-'));
  const file = join(dir, 'extended.onnx');
  try {
    await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'extended', optimizedModelFilePath: file, executionProviders: ['cpu'], logSeverityLevel: 3 });
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
