import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCpuBackend } from '../../src/learn/backend.ts';
import { parseHeadSpec, ProjectionHead } from '../../src/learn/head.ts';
import { loadHead, saveHead } from '../../src/learn/head-file.ts';
import { trainHead } from '../../src/learn/train-head.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { toyEmbeddings } from './toy.ts';

await useCpuBackend();
const dir = mkdtempSync(join(tmpdir(), 'facekit-learn-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const meta = { baseModel: 'toy', loss: 'triplet', mining: 'semi-hard', margin: 0.2, epochs: 0, seed: 7, dataset: 'generated', identities: [0, 1], date: '2026-01-01T00:00:00.000Z', finalLoss: 0 };

test('head specs parse, and bad ones are BAD_ARGUMENT', () => {
  assert.deepEqual(parseHeadSpec('linear:64'), { kind: 'linear', out: 64 });
  assert.deepEqual(parseHeadSpec('mlp:256:128'), { kind: 'mlp', hidden: 256, out: 128 });
  for (const bad of ['linear', 'mlp:12', 'linear:0', 'conv:3', 'linear:x']) {
    assert.throws(() => parseHeadSpec(bad), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT', bad);
  }
});

test('a head saved and loaded gives identical, L2-normalised embeddings and keeps its metadata', () => {
  const { embeddings } = toyEmbeddings(3, 4, 20, 0.1, 1);
  const head = ProjectionHead.create(parseHeadSpec('mlp:16:8'), 20, 7);
  const path = join(dir, 'head.json');
  saveHead(path, head, meta);
  const loaded = loadHead(path);
  const a = head.embed(embeddings);
  const b = loaded.head.embed(embeddings);
  assert.deepEqual(b, a);
  for (const e of a) assert.ok(Math.abs(Math.hypot(...e) - 1) < 1e-5);
  assert.deepEqual(loaded.metadata, meta);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).head, 'mlp:16:8');
  // a different seed is a different head: the comparison above can fail
  assert.notDeepEqual(ProjectionHead.create(parseHeadSpec('mlp:16:8'), 20, 8).embed(embeddings), a);
});

test('a file that is not a head is rejected with a clear error', () => {
  assert.throws(() => loadHead(join(dir, 'missing.json')), (e: unknown) => e instanceof FacekitError && /cannot read head file/.test(e.message));
});

test('training a head lowers the triplet loss, and resuming from a checkpoint equals an uninterrupted run', async () => {
  const { embeddings, labels } = toyEmbeddings(8, 6, 16, 0.8, 3);
  const base = { embeddings, labels, head: 'linear:8', loss: 'triplet' as const, mining: 'batch-all' as const, margin: 0.5, batch: { P: 4, K: 3 }, lr: 0.01, seed: 11 };
  const full = await trainHead({ ...base, epochs: 6 });
  assert.ok(full.history[5] < full.history[0], `loss ${full.history[0]} -> ${full.history[5]}`);

  const ck = join(dir, 'ck.json');
  const steps: number[] = [];
  const first = await trainHead({ ...base, epochs: 3, checkpointPath: ck, onStep: (s) => steps.push(s.epoch) });
  assert.equal(first.startEpoch, 0);
  const resumed = await trainHead({ ...base, epochs: 6, checkpointPath: ck, resume: true, onStep: (s) => steps.push(s.epoch) });
  assert.equal(resumed.startEpoch, 3);
  assert.ok(steps.includes(5) && steps.filter((e) => e === 2).length > 0);
  assert.deepEqual(resumed.history, full.history);
  assert.deepEqual(resumed.head.getWeights(), full.head.getWeights());
});

test('contrastive loss trains a head too, and reports the active-pair fraction', async () => {
  const { embeddings, labels } = toyEmbeddings(6, 5, 12, 0.8, 5);
  const fractions: number[] = [];
  const r = await trainHead({ embeddings, labels, head: 'mlp:16:8', loss: 'contrastive', margin: 1, epochs: 8, batch: { P: 3, K: 4 }, lr: 0.01, seed: 2, onStep: (s) => fractions.push(s.activeFraction) });
  assert.ok(r.history[7] < r.history[0], `loss ${r.history[0]} -> ${r.history[7]}`);
  assert.ok(fractions.every((f) => f >= 0 && f <= 1));
  assert.equal(r.metadata.loss, 'contrastive');
  assert.equal(r.metadata.mining, undefined);
});
