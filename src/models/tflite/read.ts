import { readFileSync } from 'node:fs';
import { ByteBuffer } from 'flatbuffers';
import { FacekitError } from '../../errors/index.js';
import { halfToFloat } from '../tfjs/read.js';

/**
 * Reads a TFLite model (a FlatBuffer of tensorflow/lite/schema/schema.fbs) into plain objects:
 * the first subgraph's tensors (constant ones decoded to numbers) and operators with the options
 * the converter in ./to-graph.ts uses. Field slots follow the schema (every table field is a slot,
 * a union takes two: its type and its value), read with flatbuffers' ByteBuffer.
 */
export type TfliteDtype = 'float32' | 'float16' | 'int32' | 'uint8' | 'int64' | 'string' | 'bool' | 'int16' | 'complex64' | 'int8';
const DTYPES: TfliteDtype[] = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8'];

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  /** shape_signature where the converter kept it: -1 marks a dimension left open */
  shapeSignature?: number[];
  dtype: TfliteDtype;
  /** the constant's values (float16 widened, int64 narrowed) when the tensor has a data buffer */
  data?: Float32Array | Int32Array;
  quantization?: { scale: number[]; zeroPoint: number[]; dimension: number };
}

export interface TfliteOperator {
  /** builtin operator name as in the schema's BuiltinOperator enum (e.g. CONV_2D) */
  op: string;
  inputs: number[];
  outputs: number[];
  /** the builtin options table, read by the converter through `options.int(slot)` etc. */
  options?: TableReader;
}

export interface TfliteModel {
  name: string;
  version: number;
  description: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

/** BuiltinOperator codes facekit knows by name (schema.fbs); others are reported by number. */
export const BUILTIN_OPS: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED', 11: 'L2_NORMALIZATION', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU',
  21: 'RELU6', 22: 'RESHAPE', 25: 'SOFTMAX', 28: 'TANH', 34: 'PAD', 39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB',
  42: 'DIV', 43: 'SQUEEZE', 45: 'STRIDED_SLICE', 47: 'EXP', 53: 'CAST', 54: 'PRELU', 55: 'MAXIMUM', 57: 'MINIMUM',
  58: 'LESS', 59: 'NEG', 61: 'GREATER', 62: 'GREATER_EQUAL', 63: 'LESS_EQUAL', 74: 'SUM', 75: 'SQRT', 76: 'RSQRT', 82: 'REDUCE_MAX', 92: 'SQUARE', 98: 'LEAKY_RELU', 101: 'ABS',
};

/** One FlatBuffer table: typed reads of its fields by slot number, defaults where absent. */
export class TableReader {
  constructor(private bb: ByteBuffer, private pos: number) {}
  private at(slot: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * slot);
  }
  has(slot: number): boolean {
    return this.at(slot) !== 0;
  }
  int(slot: number, dflt = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }
  uint(slot: number, dflt = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }
  byte(slot: number, dflt = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }
  ubyte(slot: number, dflt = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readUint8(this.pos + o) : dflt;
  }
  bool(slot: number): boolean {
    return this.ubyte(slot) !== 0;
  }
  float(slot: number, dflt = 0): number {
    const o = this.at(slot);
    return o ? this.bb.readFloat32(this.pos + o) : dflt;
  }
  ulong(slot: number): number {
    const o = this.at(slot);
    return o ? Number(this.bb.readUint64(this.pos + o)) : 0;
  }
  string(slot: number): string {
    const o = this.at(slot);
    return o ? (this.bb.__string(this.pos + o) as string) : '';
  }
  table(slot: number): TableReader | undefined {
    const o = this.at(slot);
    return o ? new TableReader(this.bb, this.bb.__indirect(this.pos + o)) : undefined;
  }
  tables(slot: number): TableReader[] {
    const o = this.at(slot);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    return Array.from({ length: n }, (_, i) => new TableReader(this.bb, this.bb.__indirect(start + 4 * i)));
  }
  ints(slot: number): number[] {
    const o = this.at(slot);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    return Array.from({ length: this.bb.__vector_len(this.pos + o) }, (_, i) => this.bb.readInt32(start + 4 * i));
  }
  floats(slot: number): number[] {
    const o = this.at(slot);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    return Array.from({ length: this.bb.__vector_len(this.pos + o) }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }
  longs(slot: number): number[] {
    const o = this.at(slot);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    return Array.from({ length: this.bb.__vector_len(this.pos + o) }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }
  /** a [ubyte] vector as a view into the file's bytes */
  bytes(slot: number): Uint8Array | undefined {
    const o = this.at(slot);
    if (!o) return undefined;
    const start = this.bb.__vector(this.pos + o);
    const bytes = this.bb.bytes();
    return bytes.subarray(start, start + this.bb.__vector_len(this.pos + o));
  }
}

const ITEM_BYTES: Partial<Record<TfliteDtype, number>> = { float32: 4, float16: 2, int32: 4, uint8: 1, int64: 8, int8: 1, int16: 2, bool: 1 };

function decode(dtype: TfliteDtype, raw: Uint8Array, count: number, bad: (why: string) => FacekitError): Float32Array | Int32Array {
  const size = ITEM_BYTES[dtype];
  if (size === undefined) throw bad(`constant of type ${dtype} is not supported`);
  if (raw.byteLength !== count * size) throw bad(`holds ${raw.byteLength} bytes for ${count} ${dtype} values`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'float32': return Float32Array.from({ length: count }, (_, i) => v.getFloat32(4 * i, true));
    case 'float16': return Float32Array.from({ length: count }, (_, i) => halfToFloat(v.getUint16(2 * i, true)));
    case 'int32': return Int32Array.from({ length: count }, (_, i) => v.getInt32(4 * i, true));
    case 'int64': return Int32Array.from({ length: count }, (_, i) => Number(v.getBigInt64(8 * i, true)));
    case 'int16': return Int32Array.from({ length: count }, (_, i) => v.getInt16(2 * i, true));
    case 'uint8': case 'bool': return Int32Array.from(raw);
    case 'int8': return Int32Array.from({ length: count }, (_, i) => v.getInt8(i));
    default: throw bad(`constant of type ${dtype} is not supported`);
  }
}

/** Parses TFLite bytes; `name` labels errors. Only the first (main) subgraph is read. */
export function parseTflite(bytes: Uint8Array, name: string): TfliteModel {
  const bad = (why: string) => new FacekitError('MODEL_SOURCE_CORRUPT', `model ${name}: ${why}`);
  if (bytes.byteLength < 8) throw bad('is too short to be a TFLite file');
  const bb = new ByteBuffer(bytes);
  if (!bb.__has_identifier('TFL3')) throw bad('is not a TFLite flatbuffer (no TFL3 identifier)');
  const model = new TableReader(bb, bb.readInt32(bb.position()) + bb.position());
  const codes = model.tables(1).map((c) => {
    // builtin_code (slot 3, int) superseded deprecated_builtin_code (slot 0, byte) at 127
    const code = Math.max(c.byte(0), c.int(3));
    return code === 32 ? `CUSTOM:${c.string(1)}` : (BUILTIN_OPS[code] ?? `BUILTIN_${code}`);
  });
  const buffers = model.tables(4);
  const subgraph = model.tables(2)[0];
  if (!subgraph) throw bad('has no subgraph');
  const tensors = subgraph.tables(0).map((t, index): TfliteTensor => {
    const shape = t.ints(0);
    const dtype = DTYPES[t.byte(1)];
    if (!dtype) throw bad(`tensor ${index} has unknown type ${t.byte(1)}`);
    const tensor: TfliteTensor = { index, name: t.string(3) || `tensor_${index}`, shape, dtype };
    const signature = t.ints(7);
    if (signature.length) tensor.shapeSignature = signature;
    const q = t.table(4);
    const scale = q?.floats(2) ?? [];
    if (q && scale.length) tensor.quantization = { scale, zeroPoint: q.longs(3), dimension: q.int(6) };
    const buffer = buffers[t.uint(2)];
    let raw = buffer?.bytes(0);
    // models over 2 GB keep their buffers after the flatbuffer: offset and size (slots 1, 2)
    if ((!raw || raw.byteLength === 0) && buffer && buffer.ulong(1) > 1) raw = bytes.subarray(buffer.ulong(1), buffer.ulong(1) + buffer.ulong(2));
    if (raw && raw.byteLength > 0) tensor.data = decode(dtype, raw, shape.reduce((a, b) => a * b, 1), (why) => bad(`tensor ${tensor.name} ${why}`));
    return tensor;
  });
  const operators = subgraph.tables(3).map((o): TfliteOperator => {
    const op = codes[o.uint(0)];
    if (op === undefined) throw bad(`operator refers to missing operator code ${o.uint(0)}`);
    return { op, inputs: o.ints(1), outputs: o.ints(2), options: o.table(4) };
  });
  return { name, version: model.uint(0), description: model.string(3), tensors, inputs: subgraph.ints(1), outputs: subgraph.ints(2), operators };
}

export function readTfliteModel(path: string, name: string): TfliteModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FacekitError('MODEL_SOURCE_MISSING', `model ${name}: cannot read ${path} (${(e as Error).message})`);
  }
  return parseTflite(bytes, name);
}
