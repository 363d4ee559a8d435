import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listDataset, samplePairs, readPairsCsv, writePairsCsv, pairImages, type Pair } from '../../src/eval/index.ts';
import { FacekitError } from '../../src/errors/index.ts';

/** A fake dataset: empty files are enough, sampling only reads names. */
function makeDataset(sizes: number[]): string {
  const root = mkdtempSync(join(tmpdir(), 'facekit-ds-'));
  sizes.forEach((n, i) => {
    const dir = join(root, `person${String(i).padStart(2, '0')}`);
    mkdirSync(dir);
    for (let k = 0; k < n; k++) writeFileSync(join(dir, `${k}.jpg`), '');
    writeFileSync(join(dir, 'notes.txt'), '');
  });
  writeFileSync(join(root, 'README.md'), '');
  return root;
}

const key = (p: Pair) => [p.img1, p.img2].sort().join('|');

test('listDataset reads <identity>/<images>, sorted, images only', () => {
  const root = makeDataset([3, 1, 2]);
  try {
    const ds = listDataset(root);
    assert.deepEqual(ds.identities.map((i) => i.name), ['person00', 'person01', 'person02']);
    assert.deepEqual(ds.identities[0].images, ['person00/0.jpg', 'person00/1.jpg', 'person00/2.jpg']);
    assert.throws(() => listDataset(join(root, 'missing')), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND');
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('sampling is deterministic per seed, balanced, distinct, and labelled right', () => {
  const root = makeDataset([12, 8, 1, 20, 5, 9, 2, 15]);
  try {
    const ds = listDataset(root);
    const a = samplePairs(ds, { seed: 42, pairsPerClass: 10 });
    const b = samplePairs(listDataset(root), { seed: 42, pairsPerClass: 10 });
    const c = samplePairs(ds, { seed: 43, pairsPerClass: 10 });
    assert.deepEqual(a.pairs, b.pairs);
    assert.notDeepEqual(a.pairs.map(key), c.pairs.map(key));
    const genuine = a.pairs.filter((p) => p.same), impostor = a.pairs.filter((p) => !p.same);
    // per identity: min(10, n(n-1)/2) genuine; 1 image -> 0; 2 images -> 1; 5 -> 10
    assert.equal(genuine.length, 10 + 10 + 0 + 10 + 10 + 10 + 1 + 10);
    assert.equal(impostor.length, genuine.length);
    assert.equal(new Set(a.pairs.map(key)).size, a.pairs.length, 'no pair twice');
    const who = (img: string) => img.split('/')[0];
    for (const p of a.pairs) {
      assert.notEqual(p.img1, p.img2);
      assert.equal(who(p.img1) === who(p.img2), p.same);
    }
    // balance per identity: as many impostors start from an identity as it has genuine pairs
    for (const id of ds.identities) {
      const g = genuine.filter((p) => who(p.img1) === id.name).length;
      assert.equal(impostor.filter((p) => who(p.img1) === id.name).length, g, id.name);
    }
    // pairsPerClass above the number of possible pairs takes them all
    const all = samplePairs(ds, { seed: 1, pairsPerClass: 1000 }).pairs.filter((p) => p.same && who(p.img1) === 'person00');
    assert.equal(all.length, 66);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('pairs CSV: read with or without header, quoted fields, round trip, line-numbered errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-csv-'));
  try {
    const f = join(dir, 'pairs.csv');
    writeFileSync(f, 'img1,img2,same\na/1.jpg,a/2.jpg,1\n"b/x,y.jpg",c/1.jpg,0\n\n# comment\nd/1.jpg,d/2.jpg,true\n');
    const l = readPairsCsv(f);
    assert.equal(l.root, dir);
    assert.deepEqual(l.pairs, [
      { img1: 'a/1.jpg', img2: 'a/2.jpg', same: true },
      { img1: 'b/x,y.jpg', img2: 'c/1.jpg', same: false },
      { img1: 'd/1.jpg', img2: 'd/2.jpg', same: true },
    ]);
    const out = join(dir, 'out.csv');
    writePairsCsv(out, l);
    assert.deepEqual(readPairsCsv(out, { root: '/data' }).pairs, l.pairs);
    assert.equal(readPairsCsv(out, { root: '/data' }).root, '/data');
    writeFileSync(f, 'a.jpg,b.jpg,1\nc.jpg,d.jpg,maybe\n');
    assert.throws(() => readPairsCsv(f), (e: unknown) => e instanceof FacekitError && /:2:/.test(e.message));
    assert.deepEqual(pairImages(l), ['a/1.jpg', 'a/2.jpg', 'b/x,y.jpg', 'c/1.jpg', 'd/1.jpg', 'd/2.jpg']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
