import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpuBackend } from '../../src/learn/backend.ts';
import { contrastiveLoss, tripletLoss } from '../../src/learn/losses.ts';

await useCpuBackend();

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

// rows: (a, p, n) with d_ap, d_an = (1, 4), (4, 2), (1, 1); margin 0.5 -> losses 0, 2.5, 0.5
const A = tf.tensor2d([[0, 0], [0, 0], [1, 1]]);
const P = tf.tensor2d([[1, 0], [0, 2], [1, 2]]);
const N = tf.tensor2d([[2, 0], [1, 1], [2, 1]]);

test('triplet loss on squared distances matches hand values (sum and mean)', () => {
  close(tripletLoss(A, P, N, 0.5, 'sum').dataSync()[0], 3.0);
  close(tripletLoss(A, P, N, 0.5, 'mean').dataSync()[0], 1.0);
  // a larger margin turns the first row on too: (1 - 4 + 4) + (4 - 2 + 4) + (0 + 4) = 1 + 6 + 4
  close(tripletLoss(A, P, N, 4, 'sum').dataSync()[0], 11);
});

test('contrastive loss: same pairs pay d^2, different pairs max(0, m - d)^2', () => {
  // same d=5 -> 25; different d=1, m=2 -> 1; different d=3 -> 0
  const a = tf.tensor2d([[0, 0], [0, 0], [0, 0]]);
  const b = tf.tensor2d([[3, 4], [1, 0], [3, 0]]);
  const same = tf.tensor1d([1, 0, 0]);
  close(contrastiveLoss(a, b, same, 2, 'sum').dataSync()[0], 26, 1e-4);
  close(contrastiveLoss(a, b, same, 2, 'mean').dataSync()[0], 26 / 3, 1e-4);
});

test('triplet loss gradient matches finite differences', () => {
  const a0 = [0.3, -0.2, 0.5];
  const p0 = [0.1, 0.4, -0.3];
  const n0 = [0.2, 0.1, 0.6];
  const loss = (a: number[], p: number[], n: number[]) =>
    tripletLoss(tf.tensor2d([a]), tf.tensor2d([p]), tf.tensor2d([n]), 0.8, 'sum');
  const value = (a: number[], p: number[], n: number[]) => loss(a, p, n).dataSync()[0];
  assert.ok(value(a0, p0, n0) > 0, 'case must be on the active side of the hinge');
  const g = tf.grads((a: tf.Tensor, p: tf.Tensor, n: tf.Tensor) => tripletLoss(a as tf.Tensor2D, p as tf.Tensor2D, n as tf.Tensor2D, 0.8, 'sum'));
  const [ga, gp, gn] = g([tf.tensor2d([a0]), tf.tensor2d([p0]), tf.tensor2d([n0])]).map((t) => Array.from(t.dataSync()));
  const h = 1e-2;
  const inputs = [a0, p0, n0];
  const analytic = [ga, gp, gn];
  for (let which = 0; which < 3; which++) {
    for (let k = 0; k < 3; k++) {
      const plus = inputs.map((v) => [...v]);
      const minus = inputs.map((v) => [...v]);
      plus[which][k] += h;
      minus[which][k] -= h;
      const fd = (value(plus[0], plus[1], plus[2]) - value(minus[0], minus[1], minus[2])) / (2 * h);
      close(analytic[which][k], fd, 2e-3);
    }
  }
  // and against the closed form: dL/da = 2(n - p)
  for (let k = 0; k < 3; k++) close(ga[k], 2 * (n0[k] - p0[k]), 1e-5);
});
