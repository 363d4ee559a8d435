import * as tf from '@tensorflow/tfjs-core';
import { FacekitError } from '../errors/index.js';
import type { Triplet } from './mining.js';

export type Reduction = 'sum' | 'mean';

function reduce(x: tf.Tensor1D, reduction: Reduction): tf.Scalar {
  if (reduction === 'sum') return tf.sum(x);
  if (reduction === 'mean') return x.size === 0 ? tf.scalar(0) : tf.mean(x);
  throw new FacekitError('BAD_ARGUMENT', `unknown reduction "${String(reduction)}" (use sum or mean)`);
}

/** Row-wise squared euclidean distance of two [N, D] tensors. */
export function squaredDistance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.square(tf.sub(a, b)), 1);
}

/** FaceNet triplet loss on squared distances: (||a-p||^2 - ||a-n||^2 + alpha)_+ per row. */
export function tripletLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, margin: number, reduction: Reduction = 'mean'): tf.Scalar {
  return tf.tidy(() => {
    const per = tf.relu(tf.add(tf.sub(squaredDistance(anchor, positive), squaredDistance(anchor, negative)), margin)) as tf.Tensor1D;
    return reduce(per, reduction);
  });
}

/**
 * Rows of a [B, D] tensor picked by index, as a one-hot matrix product rather than tf.gather:
 * gather's gradient (UnsortedSegmentSum) has no kernel on the wasm backend, a matMul has one
 * everywhere.
 */
export function selectRows(x: tf.Tensor2D, indices: readonly number[]): tf.Tensor2D {
  // the one-hot matrix is built here: tf.oneHot with a float32 dtype returns zeros on wasm (4.22)
  const n = x.shape[0];
  const sel = new Float32Array(indices.length * n);
  indices.forEach((r, i) => {
    sel[i * n + r] = 1;
  });
  return tf.tidy(() => tf.matMul(tf.tensor2d(sel, [indices.length, n]), x));
}

/** Triplet loss over index triplets into a batch of embeddings [B, D]. */
export function tripletLossOnBatch(embeddings: tf.Tensor2D, triplets: readonly Triplet[], margin: number, reduction: Reduction = 'mean'): tf.Scalar {
  if (triplets.length === 0) return tf.tidy(() => tf.mul(tf.sum(embeddings), 0) as tf.Scalar);
  return tf.tidy(() => {
    const pick = (k: number) => selectRows(embeddings, triplets.map((t) => t[k]));
    return tripletLoss(pick(0), pick(1), pick(2), margin, reduction);
  });
}

/**
 * Contrastive loss (Hadsell, Chopra, LeCun 2006): same pairs pay d^2, different pairs pay
 * max(0, m - d)^2, d the euclidean distance. `same` holds 1 for same-identity pairs, 0 otherwise.
 * A tiny epsilon under the square root keeps the gradient finite at d = 0.
 */
export function contrastiveLoss(a: tf.Tensor2D, b: tf.Tensor2D, same: tf.Tensor1D, margin: number, reduction: Reduction = 'mean'): tf.Scalar {
  return tf.tidy(() => {
    const d2 = squaredDistance(a, b);
    const d = tf.sqrt(tf.add(d2, 1e-12));
    const neg = tf.square(tf.relu(tf.sub(margin, d)));
    const per = tf.add(tf.mul(same, d2), tf.mul(tf.sub(1, same), neg)) as tf.Tensor1D;
    return reduce(per, reduction);
  });
}

/** Every unordered pair i < j of a batch with its same/different flag. */
export function allPairs(labels: ArrayLike<number>): { i: number[]; j: number[]; same: number[] } {
  const i: number[] = [];
  const j: number[] = [];
  const same: number[] = [];
  for (let x = 0; x < labels.length; x++) {
    for (let y = x + 1; y < labels.length; y++) {
      i.push(x);
      j.push(y);
      same.push(labels[x] === labels[y] ? 1 : 0);
    }
  }
  return { i, j, same };
}

/** Contrastive loss over every pair of a batch of embeddings [B, D]. */
export function contrastiveLossOnBatch(embeddings: tf.Tensor2D, labels: ArrayLike<number>, margin: number, reduction: Reduction = 'mean'): tf.Scalar {
  const p = allPairs(labels);
  return tf.tidy(() =>
    contrastiveLoss(selectRows(embeddings, p.i), selectRows(embeddings, p.j), tf.tensor1d(p.same), margin, reduction),
  );
}

/** DeepFace's Siamese head: logit = sum_k w_k |a_k - b_k| + bias; probability = sigmoid(logit). */
export function siameseLogits(a: tf.Tensor2D, b: tf.Tensor2D, w: tf.Tensor1D, bias: tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => tf.add(tf.sum(tf.mul(tf.abs(tf.sub(a, b)), w), 1), bias) as tf.Tensor1D);
}

/** Mean binary cross-entropy from logits (numerically stable form). */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  // max(x,0) - x*t + log(1 + exp(-|x|))
  return tf.tidy(() => tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))) as tf.Scalar);
}
