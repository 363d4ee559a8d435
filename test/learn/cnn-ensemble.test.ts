import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpuBackend } from '../../src/learn/backend.ts';
import { EmbeddingCnn, trainCnn } from '../../src/learn/cnn.ts';
import { averageUnitEmbeddings, CnnEnsemble, trainCnnEnsemble } from '../../src/learn/cnn-ensemble.ts';

await useCpuBackend();

const spec = { width: 12, height: 16, channels: [4, 8], embeddingSize: 8 };
const image = (seed: number, mean = 0) => Float32Array.from(tf.randomNormal([16 * 12], mean, 1, 'float32', seed).dataSync());

test('averaged unit embeddings: the normalised sum per image', () => {
  const [a] = averageUnitEmbeddings([[Float32Array.of(1, 0)], [Float32Array.of(0, 1)]]);
  assert.deepEqual(Array.from(a, (v) => v.toFixed(6)), [Math.SQRT1_2.toFixed(6), Math.SQRT1_2.toFixed(6)]);
  const [b] = averageUnitEmbeddings([[Float32Array.of(0.6, 0.8)], [Float32Array.of(0.6, 0.8)]]);
  assert.deepEqual(Array.from(b, (v) => v.toFixed(6)), ['0.600000', '0.800000']);
});

test('an ensemble embeds as the normalised sum of its nets; an ensemble of one is the net', () => {
  const ims = [1, 2, 3].map((s) => image(s));
  const nets = [new EmbeddingCnn(spec, 1), new EmbeddingCnn(spec, 2)];
  const [e1, e2] = nets.map((n) => n.embed(ims));
  const both = new CnnEnsemble(nets).embed(ims);
  both.forEach((v, i) => {
    const s = e1[i].map((x, k) => x + e2[i][k]);
    const n = Math.hypot(...s);
    v.forEach((x, k) => assert.ok(Math.abs(x - s[k] / n) < 1e-6, `image ${i} component ${k}`));
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  });
  new CnnEnsemble([nets[0]]).embed(ims).forEach((v, i) => v.forEach((x, k) => assert.ok(Math.abs(x - e1[i][k]) < 1e-6)));
  assert.throws(() => new CnnEnsemble([]), /at least one net/);
});

test('trainCnnEnsemble trains each net exactly as trainCnn does from consecutive seeds', async () => {
  // three identities, four noisy images each
  const images = [0, 1, 2].flatMap((id) => [0, 1, 2, 3].map((k) => image(10 * id + k + 100, id - 1)));
  const labels = [0, 1, 2].flatMap((id) => [id, id, id, id]);
  const opts = { images, labels, spec, loss: 'triplet' as const, margin: 0.5, epochs: 2, batch: { P: 3, K: 2 }, lr: 1e-2, seed: 7, augment: false };
  const started: number[] = [];
  const { model, histories } = await trainCnnEnsemble({ ...opts, size: 2, onNet: (m) => started.push(m) });
  assert.deepEqual(started, [0, 1]);
  assert.equal(model.nets.length, 2);
  assert.equal(histories.length, 2);
  for (const m of [0, 1]) {
    const alone = await trainCnn({ ...opts, seed: 7 + m });
    assert.deepEqual(model.nets[m].embed(images), alone.model.embed(images), `net ${m}`);
    assert.deepEqual(histories[m], alone.history);
    alone.model.dispose();
  }
  assert.notDeepEqual(model.nets[0].embed(images), model.nets[1].embed(images));
  model.dispose();
  await assert.rejects(trainCnnEnsemble({ ...opts, size: 0 }), /positive whole number/);
});
