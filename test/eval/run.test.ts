import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIdentificationEval, runCalibration, runVerificationEval } from '../../src/eval/run.ts';
import { confidence, getCalibration } from '../../src/compare/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { demoDataset } from './demo-dataset.ts';

/**
 * Four "identities", each two copies of one demo photo: a probe is byte-identical to its gallery
 * image, so it must be found at rank 1 at distance ~0, while the stranger (another photo) is not.
 * What this checks is the plumbing: relative paths, cache keys and split agree end to end.
 */
test('identification and calibration runs through the real pipeline on a tiny dataset', async () => {
  const root = mkdtempSync(join(tmpdir(), 'facekit-run-'));
  try {
    const ds = demoDataset(join(root, 'ds'));
    const progress: number[] = [];
    const id = await runIdentificationEval({ dataset: ds, seed: 3, strangerFraction: 0.25, threshold: 0.05, cacheDir: join(root, 'cache'), onProgress: (d) => progress.push(d) });
    assert.equal(id.summary.galleryIdentities, 3);
    assert.equal(id.summary.enrolledProbes, 3);
    assert.equal(id.summary.strangerProbes, 2);
    assert.equal(id.summary.rank1, 1);
    assert.equal(id.summary.dir, 1);
    assert.equal(id.summary.fpir, 0, 'a different photo is not within 0.05 of any enrolled one');
    for (const o of id.result.outcomes) {
      if (o.enrolled) assert.ok(o.distance! < 1e-4, `${o.image}: ${o.distance}`);
      else assert.ok(o.distance! > 0.05, `${o.image}: ${o.distance}`);
    }
    assert.equal(progress.at(-1), 8);

    const cal = await runCalibration({ dataset: ds, pairsPerClass: 1, seed: 1, targetFar: 0, folds: 2, cacheDir: join(root, 'cache') });
    assert.equal(cal.calibration.pairs.genuine, 4);
    assert.ok(cal.calibration.threshold > 0 && cal.calibration.tar === 1, JSON.stringify(cal.calibration));
    assert.ok(cal.calibration.logistic.a < 0);
    assert.equal(cal.result.root, ds);

    // a mean fusion selected by name: members share the cached embeddings; a genuine pair here is
    // two copies of one photo (distance 0 for both members), so its fused distance is 1 - mean P(same | 0)
    const fusionId = 'fusion:mean(fr_feature/cosine+fr_feature/euclidean_l2)';
    const fused = await runVerificationEval({ dataset: ds, model: fusionId, pairsPerClass: 1, folds: 2, cacheDir: join(root, 'cache') });
    assert.equal(fused.summary.metric, 'fused');
    assert.equal(fused.summary.msPerImage, null, 'every embedding came from the cache');
    const p0 = (confidence(0, getCalibration('fr_feature', 'cosine')) + confidence(0, getCalibration('fr_feature', 'euclidean_l2'))) / 2;
    for (const p of fused.result.scored.filter((x) => x.same)) assert.ok(Math.abs(p.distance! - (1 - p0)) < 1e-4, String(p.distance));
    for (const p of fused.result.scored.filter((x) => !x.same)) assert.ok(p.distance! > 1 - p0);
    // a fusion is calibrated like a model, on its fused distance, under its own id
    const fusedCal = await runCalibration({ dataset: ds, model: fusionId, pairsPerClass: 1, cacheDir: join(root, 'cache') });
    assert.equal(fusedCal.calibration.model, fusionId);
    assert.equal(fusedCal.calibration.metric, 'fused');
    assert.ok(fusedCal.calibration.threshold >= 1 - p0 - 1e-4, 'the genuine pairs (fused distance 1 - p0) are accepted');
    await assert.rejects(runCalibration({ dataset: ds, model: fusionId, metric: 'cosine', cacheDir: join(root, 'cache') }), FacekitError);
  } finally { rmSync(root, { recursive: true, force: true }); }
});
