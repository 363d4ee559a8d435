import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGallery, type Gallery, type OpenGalleryOptions } from '../../src/gallery/index.ts';
import { near, rng, tempDir, unitVector, TEST_KEY_HEX } from './helpers.ts';

const M = 'graph-model';
const D = 64;
const tmp = tempDir('facekit-graph-cache-');
after(tmp.cleanup);
let n = 0;
const HNSW: OpenGalleryOptions = { encryptionKey: null, index: { mode: 'hnsw' } };

/** a gallery of `people` identities with 3 faces each, and probes of those identities */
async function populated(people: number, seed: number, opts: OpenGalleryOptions = HNSW) {
  const path = join(tmp.dir, `g${n++}.db`);
  const r = rng(seed);
  const centres = Array.from({ length: people }, () => unitVector(D, r));
  const g = await openGallery(path, opts);
  for (let p = 0; p < people; p++) {
    await g.enrollPerson({ name: `person ${p}` }, [0, 1, 2].map(() => ({ model: M, embedding: near(centres[p], 0.6, r) })));
  }
  const probes = Array.from({ length: 25 }, (_, i) => near(centres[(i * 7) % people], 0.6, r));
  return { path, g, probes };
}

const answers = (g: Gallery, probes: Float32Array[]) => probes.map((q) => g.search(M, q, { topK: 5 }).candidates.map((c) => [c.faceId, c.distance]));
const origin = (g: Gallery) => g.models().find((m) => m.model === M)?.graphOrigin;
const files = (path: string) => (existsSync(`${path}-graphs`) ? readdirSync(`${path}-graphs`).sort() : []);

test('a saved graph is loaded at reopen and answers exactly as before; changes made since are saved at close', async () => {
  const { path, g, probes } = await populated(150, 1);
  assert.equal(origin(g), 'built (no cache)');
  const before = answers(g, probes);
  await g.close();
  assert.deepEqual(
    files(path).map((f) => f.replace(/-[0-9a-f]{10}\./, '.')),
    [`${M}.json`, `${M}.usearch`],
  );

  const g2 = await openGallery(path, HNSW);
  assert.equal(origin(g2), 'loaded');
  assert.deepEqual(answers(g2, probes), before, 'same candidates and distances from the loaded graph');
  // every enrolled face searched with itself comes first
  for (const p of (await g2.listPeople({ limit: 20 })).items) {
    for (const f of await g2.listFaces(p.id)) assert.equal(g2.search(M, f.embedding, { topK: 1 }).candidates[0].faceId, f.id);
  }
  // changes through this instance: add a person, delete a face and a person
  const extra = unitVector(D, rng(99));
  const added = await g2.enrollPerson({ name: 'late' }, [{ model: M, embedding: extra }]);
  const victim = (await g2.listPeople({ limit: 2 })).items;
  const gone = (await g2.listFaces(victim[0].id))[0];
  await g2.deleteFace(gone.id);
  await g2.deletePerson(victim[1].id);
  const changed = answers(g2, probes);
  await g2.close();

  const g3 = await openGallery(path, HNSW);
  assert.equal(origin(g3), 'loaded', 'the graph saved at close matches the store');
  assert.deepEqual(answers(g3, probes), changed);
  assert.equal(g3.search(M, extra, { topK: 1 }).candidates[0].faceId, added.faces[0].id);
  const ids = new Set(g3.search(M, gone.embedding, { topK: 50 }).candidates.map((c) => c.faceId));
  assert.ok(!ids.has(gone.id), 'a deleted face is not returned from the loaded graph');
  await g3.close();
});

test('a graph made stale by another writer is rebuilt, not trusted', async () => {
  const { path, g, probes } = await populated(80, 2);
  await g.close();
  // another instance that does not save graphs changes the faces behind the saved graph
  const other = await openGallery(path, { ...HNSW, graphCache: false });
  const people = (await other.listPeople({ limit: 5 })).items;
  const removed = (await other.listFaces(people[0].id))[0];
  await other.deleteFace(removed.id);
  await other.close();

  const g2 = await openGallery(path, HNSW);
  assert.equal(origin(g2), 'built (stale)');
  assert.ok(!g2.search(M, removed.embedding, { topK: 20 }).candidates.some((c) => c.faceId === removed.id));
  const exact = probes.map((q) => g2.search(M, q, { topK: 1, exact: true }).candidates[0].faceId);
  assert.deepEqual(probes.map((q) => g2.search(M, q, { topK: 1 }).candidates[0].faceId), exact);
  await g2.close();
  const g3 = await openGallery(path, HNSW);
  assert.equal(origin(g3), 'loaded', 'the rebuilt graph was saved');
  await g3.close();
});

test('a writer that ran while a gallery was open keeps that gallery from saving a graph it has not seen', async () => {
  const first = await populated(60, 3);
  await first.g.close();
  const path = first.path;
  const g = await openGallery(path, HNSW);
  assert.equal(origin(g), 'loaded');
  const other = await openGallery(path, { ...HNSW, graphCache: false });
  await other.enrollPerson({ name: 'sneaky' }, [{ model: M, embedding: unitVector(D, rng(5)) }]);
  await other.close();
  await g.enrollPerson({ name: 'mine' }, [{ model: M, embedding: unitVector(D, rng(6)) }]);
  await g.close();
  // had it saved, its graph (without 'sneaky') would now load as current
  const g2 = await openGallery(path, HNSW);
  assert.equal(origin(g2), 'built (stale)');
  assert.equal(g2.models()[0].faces, 60 * 3 + 2);
  await g2.close();
});

test('a corrupt, truncated or half-written graph file is detected and rebuilt', async () => {
  const { path, g, probes } = await populated(80, 4);
  const exact = probes.map((q) => g.search(M, q, { topK: 1, exact: true }).candidates[0].faceId);
  await g.close();
  const [meta, graph] = files(path).map((f) => join(`${path}-graphs`, f));
  const damages: [string, () => void][] = [
    ['flipped bytes', () => {
      const b = readFileSync(graph);
      for (let i = 200; i < b.length; i += 997) b[i] ^= 0x5a;
      writeFileSync(graph, b);
    }],
    ['truncated', () => truncateSync(graph, 100)],
    ['unparsable description', () => writeFileSync(meta, '{"format":"facekit-hnsw-gr')],
  ];
  for (const [label, damage] of damages) {
    damage();
    const g2 = await openGallery(path, HNSW);
    assert.equal(origin(g2), 'built (corrupt)', label);
    assert.deepEqual(probes.map((q) => g2.search(M, q, { topK: 1 }).candidates[0].faceId), exact, label);
    await g2.close();
    const g3 = await openGallery(path, HNSW);
    assert.equal(origin(g3), 'loaded', `${label}: rebuilt graph saved`);
    await g3.close();
  }
});

test('an encrypted gallery never writes its graph to disk', async () => {
  const { path, g } = await populated(40, 5, { ...HNSW, encryptionKey: TEST_KEY_HEX });
  await g.close();
  assert.deepEqual(files(path), []);
  const g2 = await openGallery(path, { ...HNSW, encryptionKey: TEST_KEY_HEX });
  assert.equal(origin(g2), 'built (no cache)');
  await g2.close();
});

test('a gallery file from before the content version (schema 1) is migrated and its graph cached', async () => {
  const { default: Database } = await import('better-sqlite3');
  const { MIGRATIONS } = await import('../../src/gallery/migrations.ts');
  const path = join(tmp.dir, `v1-${n++}.db`);
  const db = new Database(path);
  db.exec(MIGRATIONS[0].sqlite);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);');
  const v = unitVector(D, rng(8));
  db.prepare(`INSERT INTO people VALUES ('p1', 'old', '{}', '2020-01-01T00:00:00.000Z')`).run();
  db.prepare(`INSERT INTO faces (id, person_id, model, embedding, dims, created) VALUES ('f1', 'p1', ?, ?, ?, '2020-01-01T00:00:00.000Z')`).run(M, Buffer.from(v.buffer), D);
  db.close();
  const g = await openGallery(path, HNSW);
  assert.equal(g.search(M, v, { topK: 1 }).candidates[0].faceId, 'f1');
  await g.enrollPerson({ name: 'new' }, [{ model: M, embedding: unitVector(D, rng(9)) }]);
  await g.close();
  const g2 = await openGallery(path, HNSW);
  assert.equal(origin(g2), 'loaded');
  assert.equal(g2.models()[0].faces, 2);
  await g2.close();
});
