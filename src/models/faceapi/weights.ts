import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FacekitError } from '../../errors/index.ts';
import type { TfTensor } from '../tfjs/types.ts';

/**
 * face-api ships weights as a TF.js weights manifest (a list of groups, each naming its .bin
 * shards and the weights packed into them in order). Quantised weights are stored as uint8/uint16
 * with a per-tensor affine map; they are expanded here exactly as tfjs-core's decodeWeights does
 * (value * scale + min, computed in double precision and stored as float32), so the graph's
 * constants are bit-identical to the tensors face-api itself runs on.
 */
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

const bytesPerElement: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function corrupt(name: string, message: string): FacekitError {
  return new FacekitError('MODEL_SOURCE_CORRUPT', `model ${name}: ${message}`);
}

/** Reads a face-api weights manifest and its shards into name -> decoded tensor. */
export function readFaceApiWeights(manifestPath: string, name: string): Map<string, TfTensor> {
  if (!existsSync(manifestPath)) throw new FacekitError('MODEL_SOURCE_MISSING', `model ${name}: weights manifest ${manifestPath} is missing`);
  let groups: WeightGroup[];
  try {
    groups = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw corrupt(name, `${manifestPath} is not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(groups)) throw corrupt(name, `${manifestPath} is not a weights manifest (expected a list of groups)`);
  const out = new Map<string, TfTensor>();
  for (const group of groups) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw corrupt(name, `${manifestPath} has a group without paths/weights`);
    const shards = group.paths.map((p) => {
      const f = join(dirname(manifestPath), p);
      if (!existsSync(f)) throw new FacekitError('MODEL_SOURCE_MISSING', `model ${name}: weight file ${f} is missing`);
      return readFileSync(f);
    });
    const buf = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const stored = spec.quantization?.dtype ?? spec.dtype;
      const width = bytesPerElement[stored];
      if (!width) throw corrupt(name, `weight ${spec.name} has unsupported storage type ${stored}`);
      const byteLength = size * width;
      if (offset + byteLength > buf.length) {
        throw corrupt(name, `weight ${spec.name} needs ${byteLength} bytes at offset ${offset} but the shards hold ${buf.length}`);
      }
      // copy so the typed array is aligned whatever the offset
      const bytes = new Uint8Array(buf.subarray(offset, offset + byteLength));
      offset += byteLength;
      out.set(spec.name, decode(spec, bytes, size, name));
    }
  }
  return out;
}

function decode(spec: WeightSpec, bytes: Uint8Array, size: number, name: string): TfTensor {
  const q = spec.quantization;
  const shape = [...spec.shape];
  if (q) {
    if (q.dtype !== 'uint8' && q.dtype !== 'uint16') throw corrupt(name, `weight ${spec.name} uses unsupported quantisation ${q.dtype}`);
    const quantised = q.dtype === 'uint8' ? bytes : new Uint16Array(bytes.buffer, 0, size);
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    if (spec.dtype === 'float32') {
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = quantised[i] * scale + min;
      return { dtype: 'float32', shape, data };
    }
    if (spec.dtype === 'int32') {
      const data = new Int32Array(size);
      for (let i = 0; i < size; i++) data[i] = Math.round(quantised[i] * scale + min);
      return { dtype: 'int32', shape, data };
    }
    throw corrupt(name, `weight ${spec.name} has unsupported dtype ${spec.dtype}`);
  }
  if (spec.dtype === 'float32') return { dtype: 'float32', shape, data: new Float32Array(bytes.buffer, 0, size) };
  if (spec.dtype === 'int32') return { dtype: 'int32', shape, data: new Int32Array(bytes.buffer, 0, size) };
  throw corrupt(name, `weight ${spec.name} has unsupported dtype ${spec.dtype}`);
}

/**
 * The weights one architecture needs, looked up with their expected shapes: a missing or
 * mis-shaped weight is named in a MODEL_SOURCE_CORRUPT error instead of surfacing later as a
 * shape error deep inside the compiler or runtime.
 */
export class WeightStore {
  readonly model: string;
  private readonly weights: Map<string, TfTensor>;

  constructor(weights: Map<string, TfTensor>, model: string) {
    this.weights = weights;
    this.model = model;
  }

  /** `shape` may hold -1 for a dimension the caller reads from the weight itself. */
  get(key: string, shape: number[]): TfTensor {
    const t = this.weights.get(key);
    if (!t) throw corrupt(this.model, `weight "${key}" is missing from the face-api manifest`);
    if (t.dtype !== 'float32') throw corrupt(this.model, `weight "${key}" has dtype ${t.dtype}, expected float32`);
    const ok = t.shape.length === shape.length && shape.every((d, i) => d === -1 || d === t.shape[i]);
    if (!ok) throw corrupt(this.model, `weight "${key}" has shape [${t.shape.join(',')}], expected [${shape.map((d) => (d === -1 ? '?' : d)).join(',')}]`);
    return t;
  }
}
