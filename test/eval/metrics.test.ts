import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rocCurve, auc, eer, tarAtFar, bestAccuracyThreshold, accuracyAt, summarize } from '../../src/eval/index.ts';
import { FacekitError } from '../../src/errors/index.ts';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} != ${b}`);

test('ties: genuine {0.1, 0.5} vs impostor {0.5, 0.9}', () => {
  const s = { genuine: [0.1, 0.5], impostor: [0.5, 0.9] };
  const roc = rocCurve(s);
  assert.deepEqual(roc.map((p) => [p.far, p.tar]), [[0, 0], [0, 0.5], [0.5, 1], [1, 1]]);
  // 3 of 4 (genuine, impostor) orderings right, one tie counting half
  close(auc(roc), 3.5 / 4);
  // FAR-FRR goes -0.5 -> +0.5 between t=0.1 and t=0.5: crossing halfway
  const e = eer(roc);
  close(e.eer, 0.25);
  close(e.threshold, 0.3);
  // accepting 0.1 or up to 0.5 both get 3 of 4 right; the stricter one wins, placed mid-gap
  const b = bestAccuracyThreshold(s);
  close(b.accuracy, 0.75);
  close(b.threshold, 0.3);
  close(accuracyAt(s, 0.5), 0.75); // the tie at 0.5: genuine accepted, impostor accepted
  close(accuracyAt(s, 0.3), 0.75);
  const t0 = tarAtFar(roc, 0);
  close(t0.tar, 0.5);
  assert.equal(t0.threshold, 0.1);
  close(tarAtFar(roc, 0.5).tar, 1);
});

test('perfectly separable', () => {
  const s = { genuine: [0.1, 0.2, 0.3], impostor: [0.6, 0.7, 0.8, 0.9] };
  const roc = rocCurve(s);
  close(auc(roc), 1);
  assert.deepEqual(eer(roc), { eer: 0, threshold: 0.3 });
  const b = bestAccuracyThreshold(s);
  close(b.accuracy, 1);
  close(b.threshold, 0.45);
  const t = tarAtFar(roc, 1e-3, 4);
  close(t.tar, 1);
  assert.equal(t.resolvable, false, '4 impostors cannot measure FAR 1e-3');
});

test('fully overlapping (every score equal)', () => {
  const s = { genuine: [0.5, 0.5, 0.5], impostor: [0.5, 0.5] };
  const roc = rocCurve(s);
  assert.equal(roc.length, 2);
  close(auc(roc), 0.5);
  close(eer(roc).eer, 0.5);
  // accept all: 3 of 5 right; accept none: 2 of 5
  const b = bestAccuracyThreshold(s);
  close(b.accuracy, 0.6);
  assert.ok(accuracyAt(s, b.threshold) === 0.6);
  close(tarAtFar(roc, 0.1).tar, 0);
});

test('inverted (genuine farther than every impostor)', () => {
  const s = { genuine: [0.8, 0.9], impostor: [0.1, 0.2] };
  const roc = rocCurve(s);
  close(auc(roc), 0);
  close(eer(roc).eer, 1);
  const b = bestAccuracyThreshold(s);
  close(b.accuracy, 0.5); // the best this rule can do is accept nothing
  assert.ok(b.threshold < 0.1);
  close(accuracyAt(s, b.threshold), 0.5);
});

test('TAR at FAR 1e-2 and 1e-3 on 1000 impostors', () => {
  // genuine at j/1000 (j=1..100), impostors at (i+0.5)/1000 (i=0..999)
  const genuine = Array.from({ length: 100 }, (_, j) => (j + 1) / 1000);
  const impostor = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
  const sum = summarize({ genuine, impostor }, [1e-2, 1e-3]);
  // FAR 1e-2 allows 10 impostors (up to 0.0095); the genuine at 0.010 is accepted before the 11th at 0.0105
  close(sum.tarAtFar[0].tar, 0.1);
  close(sum.tarAtFar[0].threshold, 0.01);
  assert.equal(sum.tarAtFar[0].resolvable, true);
  close(sum.tarAtFar[1].tar, 0.01);
  close(sum.tarAtFar[1].achievedFar, 0.001);
  // AUC: genuine j beats impostors above it: sum_j (1000 - j) / (100*1000)
  let wins = 0;
  for (let j = 1; j <= 100; j++) wins += 1000 - j;
  assert.ok(Math.abs(sum.auc - wins / 100000) < 1e-9);
});

test('bad inputs are FacekitErrors', () => {
  assert.throws(() => rocCurve({ genuine: [], impostor: [1] }), FacekitError);
  assert.throws(() => rocCurve({ genuine: [NaN], impostor: [1] }), (e: unknown) => e instanceof FacekitError && /without a face/.test(e.message));
});
