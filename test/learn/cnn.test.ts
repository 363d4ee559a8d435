import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpuBackend } from '../../src/learn/backend.ts';
import { conv3x3Same, EmbeddingCnn } from '../../src/learn/cnn.ts';
import { heldOutVerification, verificationPairs } from '../../src/learn/verification.ts';
import { toyEmbeddings } from './toy.ts';

await useCpuBackend();

test('the im2col 3x3 convolution equals tf.conv2d SAME', () => {
  const x = tf.randomNormal([2, 7, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
  const diff = tf.max(tf.abs(tf.sub(conv3x3Same(x, k), tf.conv2d(x, k, 1, 'same')))).dataSync()[0];
  assert.ok(diff < 1e-4, `max difference ${diff}`);
});

test('the CNN maps images to L2-normalised embeddings, the same from the same seed', () => {
  const spec = { width: 12, height: 16, channels: [4, 8], embeddingSize: 8 };
  const ims = [0, 1, 2].map((s) => Float32Array.from(tf.randomNormal([16 * 12], 0, 1, 'float32', s).dataSync()));
  const a = new EmbeddingCnn(spec, 3).embed(ims);
  assert.equal(a.length, 3);
  for (const e of a) assert.ok(Math.abs(Math.hypot(...e) - 1) < 1e-5);
  assert.deepEqual(new EmbeddingCnn(spec, 3).embed(ims), a);
  assert.notDeepEqual(new EmbeddingCnn(spec, 4).embed(ims), a);
});

test('held-out verification: all genuine pairs and as many impostors; clean clusters verify perfectly, noise does not', () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2];
  const p = verificationPairs(labels, 1);
  assert.equal(p.same.filter(Boolean).length, 3 + 1 + 3);
  assert.equal(p.same.length, 14);
  const clean = toyEmbeddings(6, 8, 16, 0.05, 1);
  assert.equal(heldOutVerification(clean.embeddings, clean.labels, 1).accuracy, 1);
  const noisy = toyEmbeddings(6, 8, 16, 5, 1);
  assert.ok(heldOutVerification(noisy.embeddings, noisy.labels, 1).accuracy < 0.9);
});

test('batch norm: embedding needs calibrated statistics, and then an image embeds the same alone or in any batch', () => {
  const spec = { width: 12, height: 16, channels: [4, 8], embeddingSize: 8, batchNorm: true };
  const ims = [0, 1, 2, 3, 4].map((s) => Float32Array.from(tf.randomNormal([16 * 12], s % 2 ? 3 : 0, 1 + s, 'float32', s).dataSync()));
  const net = new EmbeddingCnn(spec, 3);
  assert.throws(() => net.embed(ims), /calibrateBatchNorm/);
  net.calibrateBatchNorm(ims);
  const batched = net.embed(ims);
  const alone = ims.map((im) => net.embed([im])[0]);
  batched.forEach((e, i) => e.forEach((v, k) => assert.ok(Math.abs(v - alone[i][k]) < 1e-5, `image ${i} component ${k}: ${v} vs ${alone[i][k]}`)));
  // training mode normalises by the batch: the same image comes out differently with other company
  const firstOf = (a: Float32Array, b: Float32Array) => tf.slice(net.apply(tf.tensor4d(Float32Array.from([...a, ...b]), [2, 16, 12, 1])), [0, 0], [1, 8]).dataSync();
  const inBatch = firstOf(ims[0], ims[1]);
  const withOthers = firstOf(ims[0], ims[4]);
  assert.ok(Math.max(...Array.from(inBatch, (v, k) => Math.abs(v - withOthers[k]))) > 1e-3);
  // the population statistics are those of the calibration images: recalibrating on others changes the answer
  net.calibrateBatchNorm(ims.map((im) => im.map((v) => 5 * v + 2)));
  assert.notDeepEqual(net.embed([ims[0]])[0], alone[0]);
  net.dispose();
});
