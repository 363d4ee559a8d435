import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qualityRejectCurve, REJECT_FRACTIONS } from '../../src/eval/quality-reject.ts';
import type { ScoredPair } from '../../src/eval/index.ts';

/**
 * 200 pairs, well separated (genuine 0.2, impostor 0.8) except 8 whose distances are swapped; the
 * swapped ones involve an image of quality 0.1, the rest 0.9. Rejecting the lowest-quality 5% of
 * pairs removes every error; a quality that says nothing (all equal) removes none.
 */
function pairs(): ScoredPair[] {
  const out: ScoredPair[] = [];
  for (let i = 0; i < 200; i++) {
    const same = i % 2 === 0;
    const bad = i % 25 === 0;
    out.push({ img1: `${bad ? 'poor' : 'good'}${i}a`, img2: `good${i}b`, same, distance: (same !== bad ? 0.2 : 0.8) + (i % 7) * 0.01 });
  }
  return out;
}

test('the error-versus-reject curve: errors fall as the lowest-quality pairs are set aside', () => {
  const rows = qualityRejectCurve(pairs(), (img) => (img.startsWith('poor') ? 0.1 : 0.9));
  assert.deepEqual(rows.map((r) => r.reject), [...REJECT_FRACTIONS]);
  assert.deepEqual(rows.map((r) => r.pairsKept), [200, 198, 196, 190, 180]);
  assert.ok(rows[0].accuracy < 0.97, `all pairs: ${rows[0].accuracy}`);
  assert.equal(rows[3].accuracy, 1, 'at 5% every poor pair is gone');
  assert.equal(rows[3].fnmrAtFmr1e3, 0);
  assert.ok(rows[0].fnmrAtFmr1e3 > 0);
  const flat = qualityRejectCurve(pairs(), () => 0.5);
  // ties keep the pairs' order: the last pairs go first, and the errors (every 25th) mostly stay
  assert.ok(flat[3].accuracy < 0.97, `uninformative quality: ${flat[3].accuracy}`);
});

test('an image without a face (quality null) is rejected before any face', () => {
  const p = pairs();
  const rows = qualityRejectCurve(p, (img) => (img === 'good1a' ? null : img.startsWith('poor') ? 0.1 : 0.9), { fractions: [0.005] });
  assert.equal(rows[0].pairsKept, 199);
  // the one pair dropped is the one with no face, so the poor pairs still cost accuracy
  assert.ok(rows[0].accuracy < 0.97);
});
