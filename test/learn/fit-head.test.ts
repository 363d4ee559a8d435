import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FacekitError } from '../../src/errors/index.ts';
import { fitHeadOnEmbeddings } from '../../src/learn/fit-head.ts';
import { parseMining } from '../../src/learn/options.ts';
import { deserializeHead } from '../../src/learn/head-file.ts';
import { base64ToFloat32, runtimeHead } from '../../src/learn/head-runtime.ts';
import { pcaHeadWeights } from '../../src/learn/pca-init.ts';
import { createRng } from '../../src/learn/random.ts';
import { toyEmbeddings } from './toy.ts';
import { headCalibration, headFor } from '../../src/pipeline/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-fit-head-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Base embeddings where identity lives in the first `signal` dimensions and every image also
 * carries strong nuisance in the rest (pose, light...). Cosine on the raw vector is swamped by the
 * nuisance; a learnt projection can drop it, and that carries over to identities it never saw.
 */
function nuisanceEmbeddings(ids: number, perId: number, seed: number, signal = 6, dim = 32, noise = 1.6) {
  const rng = createRng(seed);
  const embeddings: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < ids; i++) {
    const c = Array.from({ length: signal }, () => rng.normal());
    for (let k = 0; k < perId; k++) {
      const v = new Float32Array(dim);
      for (let d = 0; d < dim; d++) v[d] = d < signal ? c[d] + 0.15 * rng.normal() : noise * rng.normal();
      embeddings.push(v);
      labels.push(i);
    }
  }
  return { embeddings, labels, names: Array.from({ length: ids }, (_, i) => `person${i}`) };
}

const data = nuisanceEmbeddings(30, 6, 5);
const common = { ...data, baseModel: 'toy-model', dataset: 'generated', holdout: 0.3, seed: 3, epochs: 40, batch: { P: 8, K: 4 } };

// trained once, checked by two tests
const tripletRun = fitHeadOnEmbeddings({ ...common, loss: 'triplet', mining: 'semi-hard', head: 'linear:8', lr: 0.05 });

test('a triplet head (semi-hard mining) lifts held-out verification over the base embeddings', async () => {
  const r = await tripletRun;
  assert.ok(r.before && r.after);
  assert.equal(r.holdoutIdentities.length, 9);
  assert.ok(!r.holdoutIdentities.some((n) => r.trainIdentities.includes(n)), 'held-out people are never trained on');
  assert.ok(r.after.accuracy > r.before.accuracy + 0.1, `before ${r.before.accuracy}, after ${r.after.accuracy}`);
  assert.ok(r.after.tarAtFar1e2 > r.before.tarAtFar1e2, `TAR before ${r.before.tarAtFar1e2}, after ${r.after.tarAtFar1e2}`);
  // the runtime (plain arrays, what --head applies) agrees with the tfjs head that was trained
  const tfHead = deserializeHead(r.file).head;
  const rt = runtimeHead(r.file);
  const some = data.embeddings.slice(0, 5);
  const a = tfHead.embed(some);
  some.forEach((v, i) => {
    const b = rt.apply(v);
    for (let k = 0; k < b.length; k++) assert.ok(Math.abs(a[i][k] - b[k]) < 1e-4);
  });
  tfHead.dispose();
  assert.equal(r.file.metadata.baseModel, 'toy-model');
  assert.match(r.headId, /^toy-model\+head-[0-9a-f]{8}$/);
  assert.ok(r.file.calibrations?.cosine, 'a cosine calibration from the held-out pairs');
  assert.equal(r.file.calibrations.cosine.model, r.headId);
});

test('contrastive and the Siamese head also beat the base on held-out people; siamese saves per-dimension weights', async () => {
  const c = await fitHeadOnEmbeddings({ ...common, loss: 'contrastive', head: 'linear:8', lr: 0.01, margin: 1 });
  assert.ok(c.after!.accuracy > c.before!.accuracy + 0.05, `contrastive: before ${c.before!.accuracy}, after ${c.after!.accuracy}`);
  const s = await fitHeadOnEmbeddings({ ...common, loss: 'siamese', lr: 0.05 });
  assert.equal(s.file.head, 'siamese:32');
  assert.ok(s.siameseProbability && s.siameseProbability.accuracy > s.before!.accuracy + 0.05, `siamese P: before ${s.before!.accuracy}, after ${s.siameseProbability?.accuracy}`);
  assert.ok(s.after!.accuracy > s.before!.accuracy, `siamese as embedding weights: before ${s.before!.accuracy}, after ${s.after!.accuracy}`);
  // the weights learnt to favour the identity dimensions over the nuisance ones
  const w = base64ToFloat32(s.file.weights[0].data);
  const mean = (xs: Float32Array) => xs.reduce((a, b) => a + Math.abs(b), 0) / xs.length;
  assert.ok(mean(w.subarray(0, 6)) > 2 * mean(w.subarray(6)), `signal ${mean(w.subarray(0, 6))} vs nuisance ${mean(w.subarray(6))}`);
});

test('holdout 0 trains on everyone and measures nothing', async () => {
  const r = await fitHeadOnEmbeddings({ ...common, holdout: 0, epochs: 2, head: 'linear:8' });
  assert.equal(r.before, null);
  assert.equal(r.after, null);
  assert.equal(r.trainIdentities.length, 30);
  assert.match(String(r.file.calibrations?.cosine?.dataset), /optimistic/);
});

test('bad input is a FacekitError: too few identities, unknown loss or mining, bad holdout', async () => {
  const few = nuisanceEmbeddings(3, 3, 1);
  const bad = (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT';
  await assert.rejects(fitHeadOnEmbeddings({ ...few, baseModel: 'm', dataset: 'd' }), bad);
  await assert.rejects(fitHeadOnEmbeddings({ ...common, loss: 'hinge' as never }), bad);
  await assert.rejects(fitHeadOnEmbeddings({ ...common, holdout: 1 }), bad);
  assert.equal(parseMining('hard'), 'batch-hard');
  assert.equal(parseMining('all'), 'batch-all');
  assert.equal(parseMining('semi-hard'), 'semi-hard');
  assert.throws(() => parseMining('easy'), bad);
});

test('--head: the file names its base model; another model is a clear error; calibration comes from the file', async () => {
  const r = await tripletRun;
  const path = join(dir, 'head.json');
  writeFileSync(path, JSON.stringify(r.file));
  const h = headFor({ head: path });
  assert.equal(h?.baseModel, 'toy-model');
  assert.equal(headFor({ head: path, model: 'toy-model' })?.id, r.headId);
  assert.throws(() => headFor({ head: path, model: 'fr_feature' }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /trained on model toy-model, not fr_feature/.test(e.message));
  assert.throws(() => headFor({ head: join(dir, 'none.json') }), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND');
  const notHead = join(dir, 'other.json');
  writeFileSync(notHead, JSON.stringify({ hello: 1 }));
  assert.throws(() => headFor({ head: notHead }), (e: unknown) => e instanceof FacekitError && /not a facekit projection head/.test(e.message));
  assert.equal(headCalibration(h!, 'cosine').threshold, r.file.calibrations!.cosine!.threshold);
  assert.throws(() => h!.apply(new Float32Array(5)), /expects 32-d embeddings/);
});

test('PCA start: a full-size linear head is a rotation of the centred embeddings, directions by falling variance', () => {
  const { embeddings } = toyEmbeddings(5, 4, 6, 0.3, 2);
  const [kernel, bias] = pcaHeadWeights(embeddings, 6);
  const project = (v: Float32Array) => Array.from({ length: 6 }, (_, o) => bias.data[o] + v.reduce((s, x, k) => s + x * kernel.data[k * 6 + o], 0));
  const p = embeddings.map(project);
  const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (x, k) => x - b[k]));
  for (let i = 1; i < embeddings.length; i++) assert.ok(Math.abs(dist(p[0], p[i]) - dist(embeddings[0], embeddings[i])) < 1e-4);
  const variance = (o: number) => p.reduce((s, v) => s + v[o] ** 2, 0);
  for (let o = 1; o < 6; o++) assert.ok(variance(o - 1) >= variance(o) - 1e-6, `component ${o}`);
  // centred: every projected coordinate averages to zero
  for (let o = 0; o < 6; o++) assert.ok(Math.abs(p.reduce((s, v) => s + v[o], 0)) < 1e-3);
});
