import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type OnnxDtype = 'float32' | 'int32' | 'int64' | 'bool';

const DTYPE: Record<OnnxDtype, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

export const ONNX_DTYPE = DTYPE;

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

/** dims: a number is fixed, -1 is the symbolic batch 'N', null is unknown */
export type Dims = (number | null)[] | null;

/**
 * A thin layer over onnx-proto: collects nodes and initializers and encodes a ModelProto. Names
 * are made unique here so the translator can ask for helper tensors freely.
 */
export class OnnxGraphBuilder {
  private nodes: onnxProto.onnx.INodeProto[] = [];
  private inits: onnxProto.onnx.ITensorProto[] = [];
  private inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private used = new Set<string>();
  private counter = 0;

  /** a fresh tensor name derived from `base` */
  fresh(base: string): string {
    let n = base;
    while (this.used.has(n)) n = `${base}__${++this.counter}`;
    this.used.add(n);
    return n;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  node(op: string, inputs: string[], outputBase: string, attrs: Record<string, AttrValue> = {}): string {
    const out = this.fresh(outputBase);
    this.nodes.push({ opType: op, input: inputs, output: [out], name: out, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
    return out;
  }

  /** a node writing to an exact, already reserved name */
  nodeTo(op: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}): void {
    this.nodes.push({ opType: op, input: inputs, output: [output], name: output, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
  }

  initializer(base: string, dtype: OnnxDtype, dims: number[], data: Float32Array | Int32Array | BigInt64Array | Uint8Array): string {
    const name = this.fresh(base);
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.inits.push({ name, dataType: DTYPE[dtype], dims, rawData: raw });
    return name;
  }

  int64(base: string, values: number[]): string {
    return this.initializer(base, 'int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  float(base: string, values: number[], dims: number[] = [values.length]): string {
    return this.initializer(base, 'float32', dims, Float32Array.from(values));
  }

  addInput(name: string, dtype: OnnxDtype, dims: Dims): void {
    this.inputs.push(valueInfo(name, dtype, dims));
  }

  addOutput(name: string, dtype: OnnxDtype, dims: Dims): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  encode(graphName: string, producerVersion: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'facekit-tfjs2onnx',
      producerVersion,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: graphName, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dtype: OnnxDtype, dims: Dims): onnxProto.onnx.IValueInfoProto {
  const shape = dims ? { dim: dims.map((d) => (d === -1 ? { dimParam: 'N' } : d === null ? {} : { dimValue: d })) } : undefined;
  return { name, type: { tensorType: { elemType: DTYPE[dtype], shape } } };
}

function attr(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}
