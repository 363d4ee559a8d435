import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FacekitError } from '../../errors/index.js';
import { decodeWeights, type WeightSpec } from '../tfjs/read.js';
import type { TfTensor } from '../tfjs/types.js';

/**
 * face-api ships weights as a bare TF.js weights manifest (a list of groups, each naming its .bin
 * shards and the weights packed into them in order). The bytes are decoded by the TF.js reader's
 * decoder, which expands quantised weights exactly as tfjs-core does, so the graph's constants are
 * the numbers face-api itself runs on.
 */
interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

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
    const joined = Buffer.concat(shards);
    // a plain Uint8Array view: on a Node Buffer, slice() does not copy, and the decoder relies on it
    const bytes = new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
    for (const [key, t] of decodeWeights(group.weights, bytes, name)) out.set(key, t);
  }
  return out;
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
