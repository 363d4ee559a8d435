/**
 * Applying a saved head to embeddings at inference, in plain arrays: no tfjs, so verify, identify
 * and enroll with `--head` load nothing more than the JSON file. Training writes the same file
 * (head-file.ts); this reads linear:D, mlp:H:D and the Siamese head's siamese:D.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Calibration, Metric } from '../compare/index.js';
import { FacekitError } from '../errors/index.js';

/** What a saved head says about how it was made, so a result can be traced back to its run. */
export interface HeadMetadata {
  baseModel: string;
  loss: string;
  mining?: string;
  margin: number;
  epochs: number;
  seed: number;
  dataset: string;
  identities: (string | number)[];
  date: string;
  finalLoss: number;
  [extra: string]: unknown;
}

export interface HeadFile {
  format: 'facekit-projection-head';
  version: 1;
  /** linear:D, mlp:H:D, or siamese:D (the Siamese head's per-dimension weights) */
  head: string;
  inputDim: number;
  weights: { name: string; shape: number[]; dtype: 'float32'; data: string }[];
  metadata: HeadMetadata;
  /** threshold and P(same) map for distances between headed embeddings, per metric */
  calibrations?: Partial<Record<Metric, Calibration>>;
}

export function float32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToFloat32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  // copy: the Buffer may not be 4-byte aligned inside Node's pool
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

interface DenseLayer { kernel: Float32Array; bias: Float32Array; inDim: number; outDim: number }

/** A head ready to map base embeddings to headed ones. */
export interface RuntimeHead {
  /** e.g. fr_feature+head-1a2b3c4d: the model name headed embeddings are stored and calibrated under */
  id: string;
  baseModel: string;
  spec: string;
  inputDim: number;
  outputDim: number;
  metadata: HeadMetadata;
  calibrations: Partial<Record<Metric, Calibration>>;
  /** base embedding -> headed embedding, L2-normalised */
  apply(v: Float32Array): Float32Array;
}

function l2(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(Math.max(s, 1e-12));
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

function dense(x: Float32Array, l: DenseLayer, relu: boolean): Float32Array {
  const out = Float32Array.from(l.bias);
  for (let i = 0; i < l.inDim; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * l.outDim;
    for (let o = 0; o < l.outDim; o++) out[o] += xi * l.kernel[row + o];
  }
  if (relu) for (let o = 0; o < out.length; o++) if (out[o] < 0) out[o] = 0;
  return out;
}

/** Reads a head file's JSON into a runtime head; `label` names it in errors. */
export function runtimeHead(json: unknown, label = 'head'): RuntimeHead {
  const f = json as Partial<HeadFile> | null;
  if (!f || f.format !== 'facekit-projection-head' || f.version !== 1 || !Array.isArray(f.weights) || typeof f.head !== 'string' || typeof f.inputDim !== 'number') {
    throw new FacekitError('BAD_ARGUMENT', `${label} is not a facekit projection head file (format facekit-projection-head, version 1)`);
  }
  const baseModel = f.metadata?.baseModel;
  if (typeof baseModel !== 'string' || !baseModel || baseModel === 'unknown') {
    throw new FacekitError('BAD_ARGUMENT', `${label} does not record the model it was trained on (metadata.baseModel)`);
  }
  const w = f.weights.map((x) => ({ name: x.name, shape: x.shape, data: base64ToFloat32(x.data) }));
  const bad = (why: string) => new FacekitError('BAD_ARGUMENT', `${label}: ${why}`);
  const parts = f.head.split(':');
  const inputDim = f.inputDim;
  let apply: (v: Float32Array) => Float32Array;
  let outputDim: number;
  if (parts[0] === 'siamese') {
    if (w.length !== 2 || w[0].data.length !== inputDim) throw bad(`siamese head needs weights [${inputDim}] and a bias`);
    // p(same) = sigmoid(b + sum_k w_k |a_k - b_k|): ranking by it is ranking by the L1 distance of
    // the vectors scaled by -w_k, so the scaled (and normalised) vector is the Siamese head's embedding
    const scale = w[0].data.map((x) => Math.max(0, -x));
    apply = (v) => l2(v.map((x, k) => x * scale[k]));
    outputDim = inputDim;
  } else if (parts[0] === 'linear' || parts[0] === 'mlp') {
    if (w.length !== (parts[0] === 'linear' ? 2 : 4)) throw bad(`${f.head} needs ${parts[0] === 'linear' ? 2 : 4} weight tensors, got ${w.length}`);
    const layers: DenseLayer[] = [];
    let inDim = inputDim;
    for (let l = 0; l < w.length / 2; l++) {
      const k = w[2 * l];
      const b = w[2 * l + 1];
      if (k.shape.length !== 2 || k.shape[0] !== inDim || k.data.length !== k.shape[0] * k.shape[1] || b.data.length !== k.shape[1]) {
        throw bad(`layer ${l} weights do not fit (kernel [${k.shape}], bias [${b.shape}], input ${inDim})`);
      }
      layers.push({ kernel: k.data, bias: b.data, inDim, outDim: k.shape[1] });
      inDim = k.shape[1];
    }
    apply = (v) => {
      let h = v;
      layers.forEach((l, i) => { h = dense(h, l, i < layers.length - 1); });
      return l2(h === v ? Float32Array.from(v) : h);
    };
    outputDim = inDim;
  } else {
    throw bad(`unknown head kind "${f.head}" (linear:D, mlp:H:D or siamese:D)`);
  }
  const digest = createHash('sha256').update(f.head).update(JSON.stringify(f.weights.map((x) => x.data))).digest('hex').slice(0, 8);
  return {
    id: `${baseModel}+head-${digest}`,
    baseModel,
    spec: f.head,
    inputDim,
    outputDim,
    metadata: f.metadata as HeadMetadata,
    calibrations: f.calibrations ?? {},
    apply: (v) => {
      if (v.length !== inputDim) throw new FacekitError('BAD_ARGUMENT', `${label} expects ${inputDim}-d embeddings of ${baseModel}, got ${v.length}-d`);
      return apply(v);
    },
  };
}

/** Reads a head file from disk. */
export function readRuntimeHead(path: string): RuntimeHead {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FacekitError('BAD_ARGUMENT', `cannot read head file ${path}: ${(e as Error).message}`);
  }
  return runtimeHead(json, path);
}
