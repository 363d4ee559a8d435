import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as facekit from '../src/index.ts';

test('the public API exposes the pipeline calls as functions', () => {
  for (const name of ['loadImage', 'detectFaces', 'alignToTemplate', 'embedCrops', 'extractFaces', 'represent', 'verify', 'openGallery', 'runVerificationEval', 'listModels', 'cosineDistance']) {
    assert.equal(typeof (facekit as Record<string, unknown>)[name], 'function', name);
  }
  assert.ok(facekit.listModels().some((m) => m.id === facekit.DEFAULT_EMBED_MODEL));
});
