import * as tf from '@tensorflow/tfjs-core';
import { FacekitError } from '../errors/index.js';
import { createRng } from './random.js';

/** `linear:D` or `mlp:H:D`: what sits on top of a frozen recognition model. */
export type HeadSpec = { kind: 'linear'; out: number } | { kind: 'mlp'; hidden: number; out: number };

export function parseHeadSpec(s: string): HeadSpec {
  const parts = s.split(':');
  const num = (x: string | undefined): number => {
    const v = Number(x);
    if (!Number.isInteger(v) || v < 1) throw new FacekitError('BAD_ARGUMENT', `bad head "${s}": sizes must be positive integers (linear:D or mlp:H:D)`);
    return v;
  };
  if (parts[0] === 'linear' && parts.length === 2) return { kind: 'linear', out: num(parts[1]) };
  if (parts[0] === 'mlp' && parts.length === 3) return { kind: 'mlp', hidden: num(parts[1]), out: num(parts[2]) };
  throw new FacekitError('BAD_ARGUMENT', `bad head "${s}": use linear:D or mlp:H:D`);
}

export function formatHeadSpec(h: HeadSpec): string {
  return h.kind === 'linear' ? `linear:${h.out}` : `mlp:${h.hidden}:${h.out}`;
}

export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The floor under ||x||^2 in L2 normalisation (same in tfjs and in the exported graph). */
export const L2_EPSILON = 1e-12;

/** x / sqrt(max(sum x^2, eps)) per row, written with the ops the ONNX export uses. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 1, true), L2_EPSILON))) as tf.Tensor2D);
}

function layerSizes(spec: HeadSpec, inputDim: number): [number, number][] {
  return spec.kind === 'linear' ? [[inputDim, spec.out]] : [[inputDim, spec.hidden], [spec.hidden, spec.out]];
}

/**
 * A projection head over frozen embeddings, as VGG-Face learnt only its projection layers:
 * dense (+ ReLU + dense for mlp), output L2-normalised. Weights are tf.Variables so any loss can
 * train them; init is drawn from the seeded PRNG (Glorot normal for the last layer, He before a
 * ReLU), biases zero.
 */
export class ProjectionHead {
  readonly variables: tf.Variable[];

  private constructor(readonly spec: HeadSpec, readonly inputDim: number, weights: NamedWeight[]) {
    this.variables = weights.map((w) => tf.variable(tf.tensor(w.data, w.shape), true, `${w.name}_${nextId++}`));
    this.names = weights.map((w) => w.name);
  }

  private readonly names: string[];

  static create(spec: HeadSpec, inputDim: number, seed: number): ProjectionHead {
    const rng = createRng(seed);
    const sizes = layerSizes(spec, inputDim);
    const weights: NamedWeight[] = [];
    sizes.forEach(([fanIn, fanOut], i) => {
      const last = i === sizes.length - 1;
      const std = last ? Math.sqrt(2 / (fanIn + fanOut)) : Math.sqrt(2 / fanIn);
      const k = new Float32Array(fanIn * fanOut);
      for (let j = 0; j < k.length; j++) k[j] = rng.normal() * std;
      weights.push({ name: `dense${i}/kernel`, shape: [fanIn, fanOut], data: k }, { name: `dense${i}/bias`, shape: [fanOut], data: new Float32Array(fanOut) });
    });
    return new ProjectionHead(spec, inputDim, weights);
  }

  static fromWeights(spec: HeadSpec, inputDim: number, weights: NamedWeight[]): ProjectionHead {
    const sizes = layerSizes(spec, inputDim);
    const expected = sizes.flatMap(([i, o], l) => [{ name: `dense${l}/kernel`, shape: [i, o] }, { name: `dense${l}/bias`, shape: [o] }]);
    if (weights.length !== expected.length) throw new FacekitError('BAD_ARGUMENT', `head ${formatHeadSpec(spec)} needs ${expected.length} weight tensors, got ${weights.length}`);
    expected.forEach((e, i) => {
      const w = weights[i];
      if (w.name !== e.name || w.shape.join(',') !== e.shape.join(',') || w.data.length !== e.shape.reduce((a, b) => a * b, 1)) {
        throw new FacekitError('BAD_ARGUMENT', `head ${formatHeadSpec(spec)}: weight ${i} should be ${e.name} [${e.shape}], got ${w.name} [${w.shape}] with ${w.data.length} values`);
      }
    });
    return new ProjectionHead(spec, inputDim, weights);
  }

  get outputDim(): number {
    return this.spec.out;
  }

  /** [N, inputDim] -> [N, out], L2-normalised */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      const layers = this.variables.length / 2;
      for (let l = 0; l < layers; l++) {
        h = tf.add(tf.matMul(h, this.variables[2 * l] as tf.Tensor2D), this.variables[2 * l + 1]);
        if (l < layers - 1) h = tf.relu(h);
      }
      return l2Normalize(h);
    });
  }

  /** Plain arrays in, plain arrays out (inference). */
  embed(embeddings: readonly Float32Array[]): Float32Array[] {
    if (embeddings.length === 0) return [];
    for (const e of embeddings) {
      if (e.length !== this.inputDim) throw new FacekitError('BAD_ARGUMENT', `head expects ${this.inputDim}-d embeddings, got ${e.length}-d`);
    }
    const out = tf.tidy(() => this.apply(stackRows(embeddings)));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    const d = this.outputDim;
    return embeddings.map((_, i) => data.slice(i * d, (i + 1) * d));
  }

  getWeights(): NamedWeight[] {
    return this.variables.map((v, i) => ({ name: this.names[i], shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) }));
  }

  setWeights(weights: NamedWeight[]): void {
    weights.forEach((w, i) => this.variables[i].assign(tf.tensor(w.data, w.shape)));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

let nextId = 0;

export function stackRows(rows: readonly Float32Array[]): tf.Tensor2D {
  const dim = rows[0].length;
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return tf.tensor2d(flat, [rows.length, dim]);
}
