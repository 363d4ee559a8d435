import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FacekitError } from '../../errors/index.js';
import type { TfGraphModel, TfNodeDef, TfTensor } from './types.js';

/** One entry of a model.json weights manifest, as TF.js writes it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** IEEE half -> float, exact for every half value (subnormals, inf, NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes one weight from its bytes exactly as TF.js's decodeWeight does, so the compiled model
 * sees the same numbers TF.js would: affine uint8/uint16 (v * scale + min, rounded for int32) and
 * float16 halves widened to float32.
 */
export function decodeWeight(spec: WeightSpec, bytes: Uint8Array, model = '?'): TfTensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization;
  const bad = (why: string) => new FacekitError('MODEL_SOURCE_CORRUPT', `model ${model}: weight ${spec.name}: ${why}`);
  const src = q ? q.dtype : spec.dtype;
  if (!(src in BYTES)) throw bad(`unsupported dtype ${src}`);
  if (bytes.byteLength !== size * BYTES[src]) throw bad(`expected ${size * BYTES[src]} bytes, found ${bytes.byteLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (q) {
    const at = q.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(2 * i, true);
    if (q.dtype === 'float16') {
      if (spec.dtype !== 'float32') throw bad('float16 quantization needs a float32 weight');
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = halfToFloat(at(i));
      return { dtype: 'float32', shape: spec.shape, data: out };
    }
    if (q.scale === undefined || q.min === undefined) throw bad(`${q.dtype} quantization without scale/min`);
    const { scale, min } = q;
    if (spec.dtype === 'float32') {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = at(i) * scale + min;
      return { dtype: 'float32', shape: spec.shape, data: out };
    }
    if (spec.dtype === 'int32') {
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++) out[i] = Math.round(at(i) * scale + min);
      return { dtype: 'int32', shape: spec.shape, data: out };
    }
    throw bad(`quantized weights of dtype ${spec.dtype} are not supported`);
  }
  const copy = bytes.slice().buffer;
  if (spec.dtype === 'float32') return { dtype: 'float32', shape: spec.shape, data: new Float32Array(copy) };
  if (spec.dtype === 'int32') return { dtype: 'int32', shape: spec.shape, data: new Int32Array(copy) };
  if (spec.dtype === 'bool') return { dtype: 'bool', shape: spec.shape, data: new Uint8Array(copy) };
  throw bad(`unsupported dtype ${spec.dtype}`);
}

/** Splits the concatenated shard bytes of a manifest into decoded weights by name. */
export function decodeWeights(specs: WeightSpec[], data: Uint8Array, model = '?'): Map<string, TfTensor> {
  const out = new Map<string, TfTensor>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const n = size * BYTES[spec.quantization ? spec.quantization.dtype : spec.dtype];
    if (!Number.isFinite(n)) throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${model}: weight ${spec.name} has unsupported dtype ${spec.dtype}`);
    if (offset + n > data.byteLength) throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${model}: weight shards end before weight ${spec.name}`);
    out.set(spec.name, decodeWeight(spec, data.subarray(offset, offset + n), model));
    offset += n;
  }
  return out;
}

/** Reads a TF.js graph model (model.json + weight shards) into the compiler's interchange format. */
export function readTfjsGraphModel(modelJsonPath: string, name: string): TfGraphModel {
  if (!existsSync(modelJsonPath)) throw new FacekitError('MODEL_SOURCE_MISSING', `model ${name}: ${modelJsonPath} is missing`);
  let json: { modelTopology?: { node?: TfNodeDef[] }; weightsManifest?: { paths: string[]; weights: WeightSpec[] }[] };
  try {
    json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  } catch (e) {
    throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${name}: ${modelJsonPath} is not valid JSON (${(e as Error).message})`);
  }
  const nodes = json.modelTopology?.node;
  if (!Array.isArray(nodes) || !Array.isArray(json.weightsManifest)) {
    throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${name}: ${modelJsonPath} is not a TF.js graph model (no modelTopology.node or weightsManifest)`);
  }
  const weights = new Map<string, TfTensor>();
  for (const group of json.weightsManifest) {
    // a group's weights are laid end to end across its shards
    const parts = group.paths.map((p) => {
      const f = join(dirname(modelJsonPath), p);
      if (!existsSync(f)) throw new FacekitError('MODEL_SOURCE_MISSING', `model ${name}: weight file ${f} is missing`);
      return readFileSync(f);
    });
    const all = parts.length === 1 ? new Uint8Array(parts[0]) : new Uint8Array(Buffer.concat(parts));
    for (const [k, v] of decodeWeights(group.weights, all, name)) weights.set(k, v);
  }
  return { name, nodes, weights };
}
