/**
 * Person templates: a hand-built gallery where the nearest-face rule and the template disagree,
 * each rule giving its own answer (through the gallery and through identify's matchEmbedding),
 * and templates following the faces as they are added and deleted, here and in another instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildTemplate, openGallery, templateWeight, type Gallery } from '../../src/gallery/index.ts';
import { matchEmbedding } from '../../src/identify/index.ts';
import { tempDir } from './helpers.ts';
import { databases, PG_SKIP, PG_URL } from './pg-database.ts';

const M = 'm';
const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};
const cosDistance = (a: Float32Array, b: Float32Array) => 1 - a.reduce((s, x, i) => s + x * b[i], 0);
const q = unit(1, 0, 0, 0);
// A: one face almost on the query, one far off; B: two faces either side of it, whose mean is the query
const A1 = unit(1, 0.1, 0, 0), A2 = unit(0, 0, 1, 0);
const B1 = unit(1, 0.5, 0, 0), B2 = unit(1, -0.5, 0, 0);

async function handBuilt(location = ':memory:'): Promise<{ g: Gallery; a: string; b: string; aFaces: string[] }> {
  const g = await openGallery(location, { encryptionKey: null });
  const a = await g.enrollPerson({ name: 'A' }, [{ model: M, embedding: A1 }, { model: M, embedding: A2 }]);
  const b = await g.enrollPerson({ name: 'B' }, [{ model: M, embedding: B1 }, { model: M, embedding: B2 }]);
  return { g, a: a.person.id, b: b.person.id, aFaces: a.faces.map((f) => f.id) };
}

test('nearest face and template disagree: each rule gives its own answer, template by default', async (t) => {
  const { g, a, b, aFaces } = await handBuilt();
  t.after(() => g.close());
  const byMin = g.search(M, q, { rule: 'min' }).people;
  const byTemplate = g.search(M, q, { rule: 'template' }).people;
  assert.equal(byMin[0].personId, a);
  assert.ok(Math.abs(byMin[0].distance - cosDistance(q, A1)) < 1e-6);
  assert.equal(byTemplate[0].personId, b);
  assert.ok(byTemplate[0].distance < 1e-6, `B's template is the query itself, got ${byTemplate[0].distance}`);
  // A's template is (A1 + A2) normalised: cosine 0.995 / 1.414 with the query
  const aTemplate = byTemplate.find((p) => p.personId === a)!;
  assert.ok(Math.abs(aTemplate.distance - cosDistance(q, buildTemplate([A1, A2], [1, 1]))) < 1e-6);
  // by hand: A1 + A2 has norm sqrt(2) (two orthogonal unit vectors), and A1's first component is 1 / sqrt(1.01)
  assert.ok(Math.abs(aTemplate.distance - (1 - 1 / Math.sqrt(1.01) / Math.SQRT2)) < 1e-6);
  // a template match still names the person's nearest face
  assert.equal(aTemplate.faceId, aFaces[0]);
  assert.equal(g.search(M, q).people[0].personId, b, 'template is the default rule');
  assert.equal(g.identifyEmbedding(M, q, { threshold: 0.01 })?.personId, b);
  assert.equal(g.identifyEmbedding(M, q, { threshold: 0.01, rule: 'min' })?.personId, a);
  assert.throws(() => g.search(M, q, { rule: 'nearest' as never }), (e: any) => e.code === 'BAD_ARGUMENT' && /template, min, mean-top2/.test(e.message));
});

test('identify: the rule option reaches the decision (library option behind the CLI --rule)', async (t) => {
  const { g, a, b } = await handBuilt();
  t.after(() => g.close());
  const opts = { model: M, metric: 'cosine' as const, threshold: 0.01 };
  assert.equal(matchEmbedding(g, q, opts).match?.personId, b);
  assert.equal(matchEmbedding(g, q, { ...opts, rule: 'template' }).match?.personId, b);
  assert.equal(matchEmbedding(g, q, { ...opts, rule: 'min' }).match?.personId, a);
  // at a threshold between the two answers, only the nearest face accepts A's far template
  assert.equal(matchEmbedding(g, unit(0, 0, 1, 0), { ...opts, threshold: 0.1, rule: 'template' }).match, null);
  assert.equal(matchEmbedding(g, unit(0, 0, 1, 0), { ...opts, threshold: 0.1, rule: 'min' }).match?.personId, a);
});

test('templates follow faces added and deleted; quality weights count', async (t) => {
  const { g, a, b } = await handBuilt();
  t.after(() => g.close());
  const before = g.personTemplate(M, a)!;
  assert.deepEqual([...before], [...buildTemplate([A1, A2], [1, 1])]);
  const [added] = await g.addFaces(a, [{ model: M, embedding: q }]);
  const grown = g.search(M, q, { rule: 'template' }).people.find((p) => p.personId === a)!;
  assert.ok(Math.abs(grown.distance - cosDistance(q, buildTemplate([A1, A2, q], [1, 1, 1]))) < 1e-6, 'the new face is in the template');
  assert.notDeepEqual([...g.personTemplate(M, a)!], [...before]);
  await g.deleteFace(added.id);
  assert.deepEqual([...g.personTemplate(M, a)!], [...before], 'back to the two faces');
  await g.deletePerson(b);
  assert.equal(g.personTemplate(M, b), null);
  assert.deepEqual(g.search(M, q, { rule: 'template' }).people.map((p) => p.personId), [a]);
  // a low-quality face barely moves the template; a face without quality weighs 1
  const c = await g.enrollPerson({ name: 'C' }, [{ model: M, embedding: q, quality: 1 }, { model: M, embedding: unit(0, 1, 0, 0), quality: 0 }]);
  const w = templateWeight(0);
  assert.ok(w > 0 && w < 0.1);
  assert.deepEqual([...g.personTemplate(M, c.person.id)!], [...buildTemplate([q, unit(0, 1, 0, 0)], [1, w])]);
  assert.equal(templateWeight(null), 1);
  assert.equal(templateWeight(0.7), 0.7);
});

/** a face added through one instance reaches another instance's template through the change feed */
async function templateFollowsOtherInstance(t: { after(fn: () => Promise<void> | void): void }, location: string, cleanup: () => void): Promise<void> {
  const { g: a, b: personB } = await handBuilt(location);
  const other = await openGallery(location, { encryptionKey: null });
  t.after(async () => {
    await a.close();
    await other.close();
    cleanup();
  });
  const probe = unit(0, 1, 0, 0);
  const base = other.search(M, probe, { rule: 'template' }).people.find((p) => p.personId === personB)!.distance;
  await a.addFaces(personB, [{ model: M, embedding: probe }]);
  const want = cosDistance(probe, buildTemplate([B1, B2, probe], [1, 1, 1]));
  const deadline = Date.now() + 3000;
  let seen = base;
  while (Date.now() < deadline) {
    seen = other.search(M, probe, { rule: 'template' }).people.find((p) => p.personId === personB)!.distance;
    if (Math.abs(seen - want) < 1e-6) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(Math.abs(seen - want) < 1e-6, `template in the other instance: ${seen}, want ${want} (was ${base})`);
}

test('sqlite: a face added through another instance updates this instance\'s template', async (t) => {
  const tmp = tempDir('facekit-templates-');
  await templateFollowsOtherInstance(t, join(tmp.dir, 'g.db'), tmp.cleanup);
});

const newPgDatabase = PG_URL ? databases(PG_URL) : null;
test('postgres: a face added through another instance updates this instance\'s template', { skip: newPgDatabase ? false : PG_SKIP }, async (t) => {
  await templateFollowsOtherInstance(t, await newPgDatabase!(), () => undefined);
});

test("templates and rules are the same with the index's vectors in a scratch file (index.vectors: 'file')", async (t) => {
  // templates average several faces read back from the index: each read must be its own copy
  const g = await openGallery(':memory:', { encryptionKey: null, index: { mode: 'hnsw', vectors: 'file' } });
  t.after(() => g.close());
  const a = await g.enrollPerson({ name: 'A' }, [{ model: M, embedding: A1 }, { model: M, embedding: A2 }]);
  const b = await g.enrollPerson({ name: 'B' }, [{ model: M, embedding: B1 }, { model: M, embedding: B2 }]);
  assert.equal(g.models()[0].hnsw, true);
  const byTemplate = g.search(M, q, { rule: 'template' }).people;
  assert.equal(byTemplate[0].personId, b.person.id);
  assert.ok(byTemplate[0].distance < 1e-6, `B's template is the query itself, got ${byTemplate[0].distance}`);
  const aTemplate = byTemplate.find((p) => p.personId === a.person.id)!;
  assert.ok(Math.abs(aTemplate.distance - cosDistance(q, buildTemplate([A1, A2], [1, 1]))) < 1e-6);
  const byMin = g.search(M, q, { rule: 'min' }).people;
  assert.equal(byMin[0].personId, a.person.id);
  assert.equal(byMin[0].distance, g.search(M, q, { rule: 'min', exact: true }).people[0].distance);
});
