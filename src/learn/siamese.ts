import * as tf from '@tensorflow/tfjs-core';
import './backend.js';
import { FacekitError } from '../errors/index.js';
import { stackRows } from './head.js';
import { binaryCrossEntropyWithLogits, siameseLogits } from './losses.js';
import { createRng, deriveSeed } from './random.js';
import { PkBatchSampler, type PkBatchSpec } from './sampler.js';

/**
 * DeepFace's Siamese verification head over fixed embeddings: p(same) = sigmoid(sum_k w_k |a_k -
 * b_k| + b). Trained with binary cross-entropy on same/different pairs drawn from PK batches:
 * every same pair of the batch and as many different pairs drawn at random, so the classes are
 * balanced and the learnt bias is not skewed toward "different".
 */
export class SiameseHead {
  constructor(readonly w: tf.Variable<tf.Rank.R1>, readonly b: tf.Variable<tf.Rank.R0>) {}

  /**
   * Starts as a plain L1-distance threshold (w = -1, b = `bias`) rather than at zero: from zero,
   * Adam needs thousands of steps to grow 512 weights and a bias of a few tens, and stops far
   * short of the cosine baseline it should at least match.
   */
  static create(dim: number, bias = 0): SiameseHead {
    return new SiameseHead(tf.variable(tf.fill([dim], -1) as tf.Tensor1D), tf.variable(tf.scalar(bias)));
  }

  logits(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    return siameseLogits(a, b, this.w, this.b);
  }

  /** probability that each pair (a[i], b[i]) shows the same identity */
  predict(a: readonly Float32Array[], b: readonly Float32Array[]): Float32Array {
    if (a.length !== b.length) throw new FacekitError('BAD_ARGUMENT', `pair lists differ in length (${a.length} vs ${b.length})`);
    if (a.length === 0) return new Float32Array(0);
    const p = tf.tidy(() => tf.sigmoid(this.logits(stackRows(a), stackRows(b))));
    const out = p.dataSync() as Float32Array;
    p.dispose();
    return Float32Array.from(out);
  }

  dispose(): void {
    this.w.dispose();
    this.b.dispose();
  }
}

export interface TrainSiameseOptions {
  embeddings: readonly Float32Array[];
  labels: ArrayLike<number>;
  steps: number;
  batch: PkBatchSpec;
  lr: number;
  seed: number;
  onStep?: (step: number, loss: number) => void;
}

/** Midway between the mean L1 distance of same and of different pairs in one training batch. */
function initialBias(e: readonly Float32Array[], labels: ArrayLike<number>, idx: number[]): number {
  let same = 0;
  let nSame = 0;
  let diff = 0;
  let nDiff = 0;
  for (let x = 0; x < idx.length; x++) {
    for (let y = x + 1; y < idx.length; y++) {
      let l1 = 0;
      const a = e[idx[x]];
      const b = e[idx[y]];
      for (let k = 0; k < a.length; k++) l1 += Math.abs(a[k] - b[k]);
      if (labels[idx[x]] === labels[idx[y]]) {
        same += l1;
        nSame++;
      } else {
        diff += l1;
        nDiff++;
      }
    }
  }
  return (same / Math.max(1, nSame) + diff / Math.max(1, nDiff)) / 2;
}

export async function trainSiameseHead(o: TrainSiameseOptions): Promise<{ head: SiameseHead; finalLoss: number }> {
  if (o.embeddings.length === 0 || o.embeddings.length !== o.labels.length) {
    throw new FacekitError('BAD_ARGUMENT', `need one label per embedding (got ${o.embeddings.length} embeddings, ${o.labels.length} labels)`);
  }
  const head = SiameseHead.create(o.embeddings[0].length, initialBias(o.embeddings, o.labels, new PkBatchSampler(o.labels, o.batch, o.seed).next()));
  const all = stackRows(o.embeddings);
  const sampler = new PkBatchSampler(o.labels, o.batch, o.seed);
  const rng = createRng(deriveSeed(o.seed, 1));
  const optimizer = tf.train.adam(o.lr);
  let finalLoss = NaN;
  try {
    for (let step = 0; step < o.steps; step++) {
      const idx = sampler.next();
      const ia: number[] = [];
      const ib: number[] = [];
      const t: number[] = [];
      const diff: [number, number][] = [];
      for (let x = 0; x < idx.length; x++) {
        for (let y = x + 1; y < idx.length; y++) {
          if (o.labels[idx[x]] === o.labels[idx[y]]) {
            ia.push(idx[x]);
            ib.push(idx[y]);
            t.push(1);
          } else diff.push([idx[x], idx[y]]);
        }
      }
      const nSame = t.length;
      for (let k = 0; k < nSame && diff.length; k++) {
        const [x, y] = diff.splice(rng.int(diff.length), 1)[0];
        ia.push(x);
        ib.push(y);
        t.push(0);
      }
      const lossT = optimizer.minimize(() => {
        const a = tf.gather(all, tf.tensor1d(ia, 'int32'));
        const b = tf.gather(all, tf.tensor1d(ib, 'int32'));
        return binaryCrossEntropyWithLogits(head.logits(a, b), tf.tensor1d(t));
      }, true, [head.w, head.b]) as tf.Scalar;
      finalLoss = (await lossT.data())[0];
      lossT.dispose();
      o.onStep?.(step, finalLoss);
    }
  } finally {
    all.dispose();
    optimizer.dispose();
  }
  return { head, finalLoss };
}
