import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosineDistance } from '../../src/compare/index.ts';
import { evaluateIdentification, splitIdentification, dirAtFpir, listDataset, type IdentificationSplit, type EmbeddingMap } from '../../src/eval/index.ts';

const v = (x: number, y: number) => Float32Array.from([x, y]);

/**
 * Gallery A (0,0), B (10,0), C (0,10), euclidean. Enrolled probes: A1 (1,0) rank 1 at 1;
 * A2 (6,0) nearer B (4) than A (6): rank 2; B1 (10,2) rank 1 at 2; C1 no face.
 * Strangers: S1 (5,5) at 7.07 from all; S2 (0,1.5) at 1.5 from A.
 */
function handMade(): { split: IdentificationSplit; emb: EmbeddingMap } {
  const split: IdentificationSplit = {
    seed: 0,
    strangers: ['S'],
    gallery: [{ identity: 'A', image: 'a0' }, { identity: 'B', image: 'b0' }, { identity: 'C', image: 'c0' }],
    probes: [
      { identity: 'A', image: 'a1', enrolled: true }, { identity: 'A', image: 'a2', enrolled: true },
      { identity: 'B', image: 'b1', enrolled: true }, { identity: 'C', image: 'c1', enrolled: true },
      { identity: 'S', image: 's1', enrolled: false }, { identity: 'S', image: 's2', enrolled: false },
    ],
  };
  const emb: EmbeddingMap = new Map([
    ['a0', v(0, 0)], ['b0', v(10, 0)], ['c0', v(0, 10)],
    ['a1', v(1, 0)], ['a2', v(6, 0)], ['b1', v(10, 2)], ['c1', null], ['s1', v(5, 5)], ['s2', v(0, 1.5)],
  ]);
  return { split, emb };
}

test('rank-k, DIR and FPIR on hand-made embeddings', () => {
  const { split, emb } = handMade();
  const progress: number[] = [];
  const r = evaluateIdentification(split, emb, { metric: 'euclidean', threshold: 1.6, onProgress: (d) => progress.push(d) });
  assert.deepEqual(r.cmc, [0.5, 0.75, 0.75]);
  assert.equal(r.rank1, 0.5);
  assert.equal(r.rank5, 0.75);
  assert.equal(r.dir, 0.25); // only A1 is named at rank 1 under 1.6
  assert.equal(r.fpir, 0.5); // S2 is wrongly named A
  assert.deepEqual(r.noFace, { gallery: 0, enrolledProbes: 1, strangerProbes: 0 });
  assert.deepEqual(r.counts, { galleryIdentities: 3, enrolledProbes: 4, strangerProbes: 2 });
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
  const a2 = r.outcomes.find((o) => o.image === 'a2')!;
  assert.equal(a2.nearest, 'B');
  assert.equal(a2.rank, 2);
  assert.deepEqual(r.curve.slice(0, 4).map((p) => [p.threshold, p.dir, p.fpir]), [[-Infinity, 0, 0], [1, 0.25, 0], [1.5, 0.25, 0.5], [2, 0.5, 0.5]]);
  assert.equal(r.curve.length, 5);
  assert.deepEqual(r.curve[4].fpir, 1);
  assert.deepEqual(dirAtFpir(r.curve, 0), { threshold: 1, dir: 0.25, fpir: 0 });
  assert.equal(dirAtFpir(r.curve, 0.5).dir, 0.5);
});

test('cosine metric and several gallery images per identity (nearest one counts)', () => {
  const { split, emb } = handMade();
  split.gallery.push({ identity: 'A', image: 'a9' });
  emb.set('a9', v(6, 0.1)); // a second A image next to probe A2
  const r = evaluateIdentification(split, emb, { metric: 'euclidean' });
  assert.equal(r.outcomes.find((o) => o.image === 'a2')!.rank, 1);
  assert.equal(r.rank1, 0.75);
  assert.equal(r.dir, undefined);
  // cosine: the nearest identity and distance match a brute-force search with cosineDistance
  const c = evaluateIdentification(split, emb, { metric: 'cosine' });
  for (const o of c.outcomes.filter((x) => x.distance !== null)) {
    const all = split.gallery.map((g) => [g.identity, cosineDistance(emb.get(o.image)!, emb.get(g.image)!)] as const).sort((x, y) => x[1] - y[1]);
    assert.equal(o.nearest, all[0][0], o.image);
    assert.ok(Math.abs(o.distance! - all[0][1]) < 1e-6);
  }
  // b1 (10,2) is 10.4 degrees from a9 (6,0.1) and 11.3 from b0 (10,0): by direction it looks like A
  assert.equal(c.outcomes.find((o) => o.image === 'b1')!.nearest, 'A');
});

test('the split is seeded: one gallery image per enrolled identity, strangers held out whole', () => {
  const root = mkdtempSync(join(tmpdir(), 'facekit-id-'));
  try {
    for (let i = 0; i < 10; i++) {
      mkdirSync(join(root, `p${i}`));
      for (let k = 0; k < 4; k++) writeFileSync(join(root, `p${i}`, `${k}.png`), '');
    }
    const ds = listDataset(root);
    const s = splitIdentification(ds, { seed: 7, strangerFraction: 0.2 });
    assert.deepEqual(s, splitIdentification(ds, { seed: 7, strangerFraction: 0.2 }));
    const other = splitIdentification(ds, { seed: 8, strangerFraction: 0.2 });
    assert.ok(JSON.stringify(other.gallery) !== JSON.stringify(s.gallery) || JSON.stringify(other.strangers) !== JSON.stringify(s.strangers));
    assert.equal(s.strangers.length, 2);
    assert.equal(s.gallery.length, 8);
    assert.equal(new Set(s.gallery.map((g) => g.identity)).size, 8);
    for (const st of s.strangers) assert.ok(!s.gallery.some((g) => g.identity === st));
    assert.equal(s.probes.filter((p) => !p.enrolled).length, 8);
    assert.equal(s.probes.filter((p) => p.enrolled).length, 24);
    const gal = new Set(s.gallery.map((g) => g.image));
    assert.ok(s.probes.every((p) => !gal.has(p.image)));
    assert.ok(s.probes.every((p) => p.enrolled === !s.strangers.includes(p.identity)));
  } finally { rmSync(root, { recursive: true, force: true }); }
});
