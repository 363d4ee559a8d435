import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateVerification, assignFolds, errorsByIdentity, type ScoredPair } from '../../src/eval/index.ts';
import { FacekitError } from '../../src/errors/index.ts';

/**
 * 100 genuine pairs at 0.10..0.39 and 100 impostors at 0.61..0.90 (cycled), so each fold of 10
 * genuine + 10 impostor pairs is separable at any threshold in the gap. Then:
 *  - genuine #0 (fold 1) is moved to 0.95: an error wherever it sits, and too far to move the
 *    chosen thresholds (accepting it would accept every impostor);
 *  - genuine #3 (fold 4) has no face: an error in fold 4, left out of threshold choice and ROC.
 */
function constructed(): ScoredPair[] {
  const pairs: ScoredPair[] = [];
  for (let k = 0; k < 100; k++) {
    pairs.push({ img1: `g${k}a`, img2: `g${k}b`, same: true, distance: 0.1 + (k % 30) / 100 });
    pairs.push({ img1: `i${k}a`, img2: `i${k}b`, same: false, distance: 0.61 + (k % 30) / 100 });
  }
  pairs[0].distance = 0.95;
  pairs[6].distance = null; // genuine #3
  return pairs;
}

test('folds are stratified and deterministic', () => {
  const pairs = constructed();
  const f = assignFolds(pairs, 10);
  assert.deepEqual(f, assignFolds(constructed(), 10));
  for (let fold = 0; fold < 10; fold++) {
    assert.equal(pairs.filter((p, k) => f[k] === fold && p.same).length, 10);
    assert.equal(pairs.filter((p, k) => f[k] === fold && !p.same).length, 10);
  }
  assert.equal(f[0], 0); // genuine #0
  assert.equal(f[6], 3); // genuine #3
});

test('10-fold accuracy, thresholds and no-face accounting on a constructed case', () => {
  const r = evaluateVerification(constructed());
  assert.equal(r.folds.length, 10);
  const acc = r.folds.map((f) => f.accuracy);
  // fold 1 loses the far genuine, fold 4 the no-face pair: 19/20 each, the rest 20/20
  assert.deepEqual(acc, [0.95, 1, 1, 0.95, 1, 1, 1, 1, 1, 1]);
  assert.ok(Math.abs(r.accuracyMean - 0.99) < 1e-12);
  // population std of eight 1s and two 0.95s: sqrt(0.2*0.8)*0.05 = 0.02
  assert.ok(Math.abs(r.accuracyStd - 0.02) < 1e-12);
  // mid-gap between the largest training genuine (0.39) and smallest training impostor (0.61),
  // except that every impostor at 0.61 (k = 0, 30, 60, 90) sits in fold 1 and every genuine at
  // 0.39 (k = 29, 59, 89) in fold 10, so those two folds train on a gap of 0.39..0.62 / 0.38..0.61
  const expected = [0.505, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.495];
  r.folds.forEach((f, k) => assert.ok(Math.abs(f.threshold - expected[k]) < 1e-12, `fold ${f.fold}: ${f.threshold}`));
  assert.ok(Math.abs(r.thresholdMean - 0.5) < 1e-12);
  assert.deepEqual(r.noFace, { genuine: 1, impostor: 0 });
  assert.equal(r.folds[3].noFace, 1);
  assert.deepEqual(r.pairs, { genuine: 100, impostor: 100 });
  // ROC over the 199 scored pairs: only the 0.95 genuine is out of order, beating no impostor
  // except those above 0.95 (none): AUC = 98/99 exactly
  assert.ok(Math.abs(r.auc - 98 / 99) < 1e-12, `auc ${r.auc}`);
  assert.equal(r.roc[r.roc.length - 1].far, 1);
  // TAR at FAR 1e-2 (1 impostor allowed of 100): every genuine but the far one = 98/99
  assert.ok(Math.abs(r.tarAtFar[0].tar - 98 / 99) < 1e-12);
  assert.equal(r.tarAtFar[1].resolvable, false);
});

test('threshold chosen on the other folds, not on the fold itself', () => {
  // fold 1 alone holds genuine at 0.7 and impostors at 0.65: it wants a different threshold
  // than the other nine, whose gap is 0.3..0.6; its own pairs must not pull its threshold
  const pairs: ScoredPair[] = [];
  for (let k = 0; k < 50; k++) {
    const f1 = k % 5 === 0;
    pairs.push({ img1: '', img2: '', same: true, distance: f1 ? 0.7 : 0.3 });
    pairs.push({ img1: '', img2: '', same: false, distance: f1 ? 0.65 : 0.6 });
  }
  const r = evaluateVerification(pairs, { folds: 5 });
  // fold 1: threshold from the others = 0.45, so its genuine (0.7) rejected, impostors (0.65) rejected
  assert.ok(Math.abs(r.folds[0].threshold - 0.45) < 1e-12);
  assert.equal(r.folds[0].accuracy, 0.5);
});

test('too few pairs for the folds is a clear error', () => {
  assert.throws(() => evaluateVerification([{ img1: 'a', img2: 'b', same: true, distance: 0.1 }, { img1: 'a', img2: 'c', same: false, distance: 0.9 }]),
    (e: unknown) => e instanceof FacekitError && /folds/.test(e.message));
});

test('errorsByIdentity charges each fold error to the identities in the pair, worst first', () => {
  const g = (id: string, d: number) => ({ img1: `set/${id}/1.png`, img2: `set/${id}/2.png`, same: true, distance: d });
  const i = (x: string, y: string, d: number) => ({ img1: `set/${x}/1.png`, img2: `set/${y}/1.png`, same: false, distance: d });
  // a's last genuine pair is far (a false reject); one b-c impostor pair is close (a false accept)
  const pairs = [g('a', 0.1), g('b', 0.2), g('c', 0.15), g('a', 0.95), g('a', 0.2), g('b', 0.1), g('c', 0.25), g('a', 0.3),
    i('a', 'b', 0.9), i('b', 'c', 0.05), i('a', 'c', 0.85), i('a', 'b', 0.8), i('b', 'c', 0.9), i('a', 'c', 0.95), i('a', 'b', 0.85), i('b', 'c', 0.8)];
  const r = evaluateVerification(pairs, { folds: 2 });
  const errs = errorsByIdentity(r);
  const by = Object.fromEntries(errs.map((e) => [e.identity, e]));
  assert.deepEqual(by.a, { identity: 'a', falseRejects: 1, falseAccepts: 0, genuinePairs: 4, impostorPairs: 5 });
  assert.deepEqual(by.b, { identity: 'b', falseRejects: 0, falseAccepts: 1, genuinePairs: 2, impostorPairs: 6 });
  assert.deepEqual(by.c, { identity: 'c', falseRejects: 0, falseAccepts: 1, genuinePairs: 2, impostorPairs: 5 });
  // the errors agree with the protocol's accuracy: 2 wrong of 16
  assert.equal(r.accuracyMean, 14 / 16);
  assert.equal(errs[errs.length - 1].identity, 'c', 'ties keep a stable (alphabetical) order after the worst');
});
