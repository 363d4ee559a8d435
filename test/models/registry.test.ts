import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getModelRecord, listModels, loadModel } from '../../src/models/index.ts';
import { cacheDir } from '../../src/models/build.ts';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { FacekitError } from '../../src/errors/index.ts';

test('every record has the fields stages rely on', () => {
  const all = listModels();
  assert.ok(all.length > 0);
  for (const r of all) {
    assert.ok(r.id && r.task && r.source && r.licence && r.provenance, r.id);
    assert.equal(r.input.mean.length, 3, r.id);
    assert.ok(r.input.width > 0 && r.input.height > 0, r.id);
    if (r.task === 'embed') assert.ok((r.embeddingSize ?? 0) > 0, r.id);
  }
});

test('unknown model id is a MODEL_NOT_FOUND error naming the id', () => {
  assert.throws(() => getModelRecord('no-such-model'), (e: unknown) => e instanceof FacekitError && e.code === 'MODEL_NOT_FOUND' && /no-such-model/.test(e.message));
});

test('a ready ONNX model loads and runs with the input size its record states', async () => {
  const { record, session } = await loadModel('fr_feature');
  const { width, height } = record.input;
  const out = await session.run({ [record.input.name]: { data: new Float32Array(3 * width * height), dims: [1, 3, height, width] } });
  const emb = Object.values(out)[0];
  assert.deepEqual([...emb.dims], [1, record.embeddingSize]);
  assert.ok([...emb.data as Float32Array].every(Number.isFinite));
});

test('the model cache directory: FACEKIT_CACHE_DIR, else XDG_CACHE_HOME/facekit, else ~/.cache/facekit; an empty variable counts as unset', () => {
  const saved = { c: process.env.FACEKIT_CACHE_DIR, x: process.env.XDG_CACHE_HOME };
  try {
    process.env.FACEKIT_CACHE_DIR = '/somewhere/cache';
    assert.equal(cacheDir(), '/somewhere/cache');
    // '' once sent compiled models into the working directory of whoever ran facekit
    process.env.FACEKIT_CACHE_DIR = '';
    process.env.XDG_CACHE_HOME = '/xdg';
    assert.equal(cacheDir(), join('/xdg', 'facekit'));
    process.env.XDG_CACHE_HOME = '';
    assert.equal(cacheDir(), join(homedir(), '.cache', 'facekit'));
    assert.ok(isAbsolute(cacheDir()));
  } finally {
    for (const [k, v] of [['FACEKIT_CACHE_DIR', saved.c], ['XDG_CACHE_HOME', saved.x]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
