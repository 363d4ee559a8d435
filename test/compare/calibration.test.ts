import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fitCalibration, confidence, thresholdAtFar, getCalibration, getCalibrationOr, saveCalibration, fallbackCalibration,
  fitIsotonic, anchorIsotonic, sigmoid, fitLogisticFusion, meanProbabilityFusion, fusionFromRecord, parseFusionId, type Calibration,
} from '../../src/compare/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { mulberry32, gaussian } from '../../src/eval/prng.ts';

/** Distances uniform on 0..1.5, labels drawn from P(same) = sigmoid(a*d + b). */
function fromKnownLogistic(a: number, b: number, n: number, seed: number) {
  const rng = mulberry32(seed);
  const genuine: number[] = [], impostor: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = rng() * 1.5;
    (rng() < sigmoid(a * d + b) ? genuine : impostor).push(d);
  }
  return { genuine, impostor };
}

test('the fitted logistic recovers a known one and is monotone decreasing', () => {
  const { genuine, impostor } = fromKnownLogistic(-8, 4, 20000, 1);
  const cal = fitCalibration(genuine, impostor, { targetFar: 0.01, isotonic: false, anchor: 'fit' });
  // standard errors at n=20000 are ~0.15 for a and ~0.08 for b
  assert.ok(Math.abs(cal.logistic.a + 8) < 0.5, `a = ${cal.logistic.a}`);
  assert.ok(Math.abs(cal.logistic.b - 4) < 0.3, `b = ${cal.logistic.b}`);
  let prev = Infinity;
  for (let d = 0; d <= 2; d += 0.01) {
    const p = confidence(d, cal);
    assert.ok(p >= 0 && p <= 1 && p < prev, `not decreasing at ${d}`);
    prev = p;
  }
  assert.ok(Math.abs(confidence(0.5, cal) - 0.5) < 0.03, 'P(same) crosses 0.5 near d = -b/a = 0.5');
});

test('balanced weighting removes the class prior from the intercept only', () => {
  // same logistic, but twice as many impostors kept: unweighted intercept shifts by log(1/2)
  const { genuine, impostor } = fromKnownLogistic(-8, 4, 20000, 2);
  const imp2 = [...impostor, ...impostor];
  const plain = fitCalibration(genuine, imp2, { isotonic: false, anchor: 'fit' });
  assert.ok(Math.abs(plain.logistic.b - (4 + Math.log(0.5))) < 0.3, `b = ${plain.logistic.b}`);
  const bal = fitCalibration(genuine, imp2, { isotonic: false, balanced: true, anchor: 'fit' });
  assert.ok(Math.abs(bal.logistic.a - plain.logistic.a) < 0.3);
  assert.ok(bal.logistic.b > plain.logistic.b + 0.2);
});

test('perfectly separable data still give a finite, decreasing fit', () => {
  const cal = fitCalibration([0.1, 0.2, 0.3], [0.7, 0.8, 0.9], { targetFar: 0 });
  assert.ok(Number.isFinite(cal.logistic.a) && cal.logistic.a < 0);
  assert.ok(confidence(0.2, cal) > 0.9 && confidence(0.8, cal) < 0.1);
  assert.ok(cal.threshold < 0.7 && cal.threshold >= 0.3);
  assert.equal(cal.tar, 1);
});

test('inverted data (genuine farther than impostors) are refused', () => {
  assert.throws(() => fitCalibration([0.7, 0.8, 0.9, 0.6], [0.1, 0.2, 0.3, 0.65]), (e: unknown) => e instanceof FacekitError && /labels|metric/.test(e.message));
});

test('the threshold meets the target FAR on the fitting data, as permissively as allowed', () => {
  const rng = mulberry32(3);
  const impostor = Array.from({ length: 5000 }, () => 0.9 + 0.15 * gaussian(rng));
  const genuine = Array.from({ length: 1000 }, () => 0.4 + 0.15 * gaussian(rng));
  for (const target of [0.1, 0.01, 1e-3, 1e-4]) {
    const cal = fitCalibration(genuine, impostor, { targetFar: target, isotonic: false });
    const accepted = impostor.filter((d) => d <= cal.threshold).length;
    assert.ok(accepted / impostor.length <= target, `FAR ${accepted / impostor.length} > ${target}`);
    assert.equal(accepted, Math.floor(target * impostor.length + 1e-9), 'one more impostor would break the target');
    assert.equal(cal.far, accepted / impostor.length);
    assert.equal(cal.tar, genuine.filter((d) => d <= cal.threshold).length / genuine.length);
  }
});

test('thresholdAtFar with ties rejects the whole tied group', () => {
  // 10 impostors, target 0.2 allows 2 accepts, but the 2nd and 3rd are tied: only 1 can be accepted
  const r = thresholdAtFar([0.1, 0.3, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1], 0.2);
  assert.equal(r.falseAccepts, 1);
  assert.equal(r.threshold, 0.2);
  assert.equal(thresholdAtFar([0.5, 0.6], 0).falseAccepts, 0);
  assert.ok(thresholdAtFar([0.5, 0.6], 0).threshold < 0.5);
  assert.throws(() => thresholdAtFar([], 0.1), FacekitError);
  assert.throws(() => thresholdAtFar([0.1], 2), FacekitError);
});

test('isotonic table is non-increasing and pools violators', () => {
  // genuine at 0.1, 0.3; impostor at 0.2, 0.4 -> the pair (0.2 imp, 0.3 gen) violates and is pooled
  const t = fitIsotonic([0.1, 0.3], [0.2, 0.4]);
  assert.deepEqual(t.probabilities, [1, 0.5, 0]);
  assert.ok(Math.abs(t.distances[1] - 0.25) < 1e-12);
  const { genuine, impostor } = fromKnownLogistic(-8, 4, 3000, 4);
  const big = fitIsotonic(genuine, impostor);
  for (let i = 1; i < big.probabilities.length; i++) assert.ok(big.probabilities[i] <= big.probabilities[i - 1]);
  const cal = fitCalibration(genuine, impostor, { anchor: 'fit' });
  assert.ok(Math.abs(confidence(0.5, cal, { method: 'isotonic' }) - 0.5) < 0.15);
});

test('by default confidence is 0.5 at the decision threshold, so confidence >= 0.5 agrees with the decision', () => {
  const { genuine, impostor } = fromKnownLogistic(-8, 4, 20000, 5);
  const cal = fitCalibration(genuine, impostor, { targetFar: 1e-3 });
  assert.equal(cal.anchor, 'threshold');
  // the plain fit puts 0.5 near d = 0.5; a FAR 1e-3 threshold is much stricter
  assert.ok(cal.threshold < 0.3, `threshold ${cal.threshold}`);
  assert.ok(Math.abs(-cal.fittedLogistic!.b / cal.fittedLogistic!.a - 0.5) < 0.05);
  assert.ok(Math.abs(cal.logistic.a - cal.fittedLogistic!.a) < 1e-12, 'slope unchanged');
  for (const method of ['logistic', 'isotonic'] as const) {
    assert.ok(Math.abs(confidence(cal.threshold, cal, { method }) - 0.5) < 1e-9, `${method}: P at threshold ${confidence(cal.threshold, cal, { method })}`);
    let prev = Infinity;
    for (let d = 0; d <= 1.5; d += 0.005) {
      const p = confidence(d, cal, { method });
      assert.equal(p >= 0.5, d <= cal.threshold, `${method}: decision and confidence disagree at d=${d} (P=${p})`);
      assert.ok(p <= prev + 1e-12, `${method}: not monotone at ${d}`);
      prev = p;
    }
  }
});

test('anchoring the isotonic table keeps its ends and adds the 0.5 knot', () => {
  const t = anchorIsotonic({ distances: [0.1, 0.3, 0.5, 0.7], probabilities: [1, 0.8, 0.4, 0] }, 0.3);
  assert.deepEqual(t.distances, [0.1, 0.3, 0.5, 0.7]);
  assert.deepEqual(t.probabilities, [1, 0.5, 0.25, 0]);
  // all-genuine table: the side beyond the threshold cannot be told apart, it stays at the 0.5 tie
  const edge = anchorIsotonic({ distances: [0.1, 0.2], probabilities: [1, 1] }, 0.15);
  assert.deepEqual(edge.probabilities, [1, 0.5, 0.5]);
  const low = anchorIsotonic({ distances: [0.1, 0.2], probabilities: [0.6, 0.2] }, 0.05);
  assert.deepEqual(low.distances, [0.05, 0.1, 0.2]);
  assert.deepEqual(low.probabilities, [0.5, 0.5, 0.5 * 0.2 / 0.6]);
});

test('calibrations round-trip through JSON; a missing one is a NOT_FOUND error naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-cal-'));
  try {
    assert.throws(() => getCalibration('arcface', 'cosine', dir), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND' && /arcface/.test(e.message) && /cosine/.test(e.message));
    const fb = getCalibrationOr('arcface', 'cosine', 0.4, dir);
    assert.ok(Math.abs(confidence(0.4, fb) - 0.5) < 1e-12 && Math.abs(confidence(0.2, fb) - 0.9) < 1e-12 && Math.abs(confidence(0.6, fb) - 0.1) < 1e-12);
    const cal = fitCalibration([0.1, 0.2, 0.45], [0.4, 0.8, 0.9], { model: 'arcface', metric: 'cosine', dataset: 'test', targetFar: 0.34 });
    saveCalibration(cal, dir);
    const back = getCalibration('arcface', 'cosine', dir);
    assert.deepEqual(back, cal);
    assert.throws(() => getCalibration('arcface', 'euclidean', dir), (e: unknown) => e instanceof FacekitError && /arcface\/cosine/.test(e.message));
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.throws(() => fallbackCalibration('m', 'cosine', 0), FacekitError);
});

test('fusion: mean of calibrated probabilities and a fitted logistic fusion', () => {
  const c1: Calibration = fallbackCalibration('m1', 'cosine', 0.4);
  const c2: Calibration = fallbackCalibration('m2', 'euclidean', 1.0);
  const mean = meanProbabilityFusion([c1, c2]);
  assert.equal(mean.id, 'fusion:mean(m1/cosine+m2/euclidean)');
  assert.ok(Math.abs(mean.probability([0.2, 1.5]) - 0.5) < 1e-12); // 0.9 and 0.1
  assert.ok(Math.abs(mean.distance([0.2, NaN]) - 0.1) < 1e-12); // only the member with a face counts
  assert.ok(Number.isNaN(mean.distance([NaN, NaN])));
  assert.throws(() => mean.distance([0.1]), FacekitError);

  // model 2 carries no information, model 1 does: the fitted weight of model 2 should be ~0
  const rng = mulberry32(5);
  const samples = Array.from({ length: 4000 }, (_, i) => {
    const same = i % 2 === 0;
    return { same, distances: [(same ? 0.3 : 0.7) + 0.15 * gaussian(rng), 1 + 0.2 * gaussian(rng)] };
  });
  const lf = fitLogisticFusion(mean.members, samples);
  assert.equal(lf.record.kind, 'logistic');
  const w = (lf.record as { weights: number[] }).weights;
  assert.ok(w[0] < -5 && Math.abs(w[1]) < 0.5, `weights ${w}`);
  assert.ok(lf.distance([0.2, 1]) < lf.distance([0.8, 1]));
  const again = fusionFromRecord(JSON.parse(JSON.stringify(lf.record)));
  assert.equal(again.distance([0.4, 1.1]), lf.distance([0.4, 1.1]));
  const m2 = fusionFromRecord(mean.record, (model) => (model === 'm1' ? c1 : c2));
  assert.equal(m2.probability([0.3, 0.9]), mean.probability([0.3, 0.9]));
});

test('a mean fusion can be named like a model and read back', () => {
  const c1 = fallbackCalibration('m1', 'cosine', 0.4), c2 = fallbackCalibration('m2', 'euclidean', 1.0);
  const f = meanProbabilityFusion([c1, c2]);
  assert.deepEqual(parseFusionId(f.id), f.record);
  assert.equal(parseFusionId('arcface'), undefined);
  for (const bad of ['fusion:mean()', 'fusion:mean(a/cosine+b)', 'fusion:logistic(a/cosine)', 'fusion:mean(a/manhattan)', 'fusion:mean a/cosine']) {
    assert.throws(() => parseFusionId(bad), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT', bad);
  }
});
