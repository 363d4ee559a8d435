/**
 * The strangers/sightings/corrections store on SQLite (migration 5 on a version-3 file, sealing
 * with the gallery key, deletion with the person, retention) and the stranger book's rules
 * (quality weighting, cannot-link, merges), on synthetic embeddings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openGallery } from '../../src/gallery/index.ts';
import { MIGRATIONS } from '../../src/gallery/migrations.ts';
import { constrainMatches, FootageStore, merge, StrangerBook, unmerge, type Correction } from '../../src/strangers/index.ts';
import { float32ToBytes } from '../../src/gallery/codec.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-strangers-store-'));
const KEY = 'ab'.repeat(32);

/** a unit vector along axis i, tilted towards axis j by t */
function unit(dims: number, i: number, j = i, t = 0): Float32Array {
  const v = new Float32Array(dims);
  v[i] = Math.cos(t);
  v[j] += Math.sin(t);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

test('migration 5 applies on a gallery at version 3 (no version 4 here), and its tables take a collection', async () => {
  const path = join(dir, 'v3.db');
  const db = new Database(path);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (3)');
  for (const m of MIGRATIONS.filter((x) => x.version <= 3)) db.exec(m.sqlite);
  db.close();
  const g = await openGallery(path);
  await g.close();
  const after = new Database(path);
  assert.equal((after.prepare('SELECT version FROM schema_version').get() as { version: number }).version, 5);
  for (const t of ['strangers', 'stranger_faces', 'sightings', 'corrections']) {
    const cols = after.prepare(`PRAGMA table_info(${t})`).all() as { name: string; dflt_value: string }[];
    assert.equal(cols.find((c) => c.name === 'collection')?.dflt_value, "'default'", t);
  }
  after.close();
});

test('stranger faces, sightings and corrections are sealed with the gallery key and go with their person', async () => {
  const path = join(dir, 'sealed.db');
  const g = await openGallery(path, { encryptionKey: KEY });
  const store = FootageStore.of(g);
  const v = unit(8, 0);
  const s = await store.newStranger([{ model: 'm', embedding: v, quality: 0.9, crop: Buffer.from('jpeg bytes') }], '2026-01-01T00:00:00.000Z');
  assert.equal(s.id, 'stranger-1');
  const { person } = await g.enrollPerson({ name: 'Ann' }, [{ model: 'm', embedding: unit(8, 1) }]);
  const sid = await store.addSighting({ personId: person.id, source: 'cam', startTime: 0, endTime: 1, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', model: 'm', embedding: v, crop: Buffer.from('crop') });
  await store.addCorrection({ personId: person.id, model: 'm', embedding: v, origin: 'identify' });
  const raw = new Database(path, { readonly: true });
  const plain = float32ToBytes(v);
  for (const [t, col] of [['stranger_faces', 'embedding'], ['sightings', 'embedding'], ['corrections', 'embedding']]) {
    const b = (raw.prepare(`SELECT ${col} AS b FROM ${t}`).get() as { b: Buffer }).b;
    assert.ok(!b.includes(plain) && b.length === plain.length + 28, `${t}.${col} is sealed`);
  }
  assert.ok(!(raw.prepare('SELECT crop FROM sightings').get() as { crop: Buffer }).crop.includes(Buffer.from('crop')));
  raw.close();
  assert.deepEqual([...(await store.strangerFaces('m'))[0].embedding], [...v]);
  assert.equal((await store.sightingCrop(sid))!.toString(), 'crop');
  await g.deletePerson(person.id);
  assert.deepEqual(await store.listSightings(), []);
  assert.deepEqual(await store.corrections(), []);
  await g.close();
});

test('retention: sightings and unnamed strangers last seen before it are pruned', async () => {
  const g = await openGallery(join(dir, 'retention.db'));
  const store = FootageStore.of(g);
  const old = await store.newStranger([{ model: 'm', embedding: unit(8, 0), quality: 0.5 }], '2026-01-01T00:00:00.000Z');
  const recent = await store.newStranger([{ model: 'm', embedding: unit(8, 1), quality: 0.5 }], '2026-03-01T00:00:00.000Z');
  for (const [id, at] of [[old.id, '2026-01-01T00:00:00.000Z'], [recent.id, '2026-03-01T00:00:00.000Z']]) {
    await store.addSighting({ strangerId: id, source: 'cam', startTime: 0, endTime: 1, startedAt: at, endedAt: at });
  }
  await store.setRetentionDays(30);
  const pruned = await store.prune(new Date('2026-03-10T00:00:00.000Z'));
  assert.deepEqual(pruned, { sightings: 1, strangers: 1 });
  assert.deepEqual((await store.listStrangers()).map((s) => s.id), [recent.id]);
  await g.close();
});

test('stranger book: quality-weighted match, cannot-link, merge of pieces; ids survive a reload', async () => {
  const g = await openGallery(join(dir, 'book.db'));
  const store = FootageStore.of(g);
  const book = await StrangerBook.load(store, 'm', 'cosine', 0.3);
  const a = await book.identify([{ vector: unit(16, 0), quality: 0.8 }]);
  const b = await book.identify([{ vector: unit(16, 1), quality: 0.8 }]);
  assert.deepEqual([a.id, a.isNew, b.id, b.isNew], ['stranger-1', true, 'stranger-2', true]);
  // a sharp frame near A outweighs a blurred one far from it
  const again = await book.identify([{ vector: unit(16, 0, 2, 0.2), quality: 0.9 }, { vector: unit(16, 3), quality: 0.05 }]);
  assert.equal(again.id, 'stranger-1');
  // the same pair with the qualities swapped is nobody known
  const other = await book.identify([{ vector: unit(16, 0, 2, 0.2), quality: 0.05 }, { vector: unit(16, 3), quality: 0.9 }]);
  assert.equal(other.isNew, true);
  // seen together with stranger-1: a face like A is not A
  const together = await book.identify([{ vector: unit(16, 0, 4, 0.1), quality: 0.9 }], { exclude: ['stranger-1'] });
  assert.notEqual(together.id, 'stranger-1');
  // a face between stranger-2 and a later piece of the same person joins them into the older id
  const piece = await book.identify([{ vector: unit(16, 1, 5, 0.9), quality: 0.9 }]);
  assert.equal(piece.isNew, true);
  const bridge = await book.identify([{ vector: unit(16, 1, 5, 0.45), quality: 0.9 }]);
  assert.equal(bridge.id, 'stranger-2');
  assert.deepEqual(bridge.merged, [piece.id]);
  assert.equal((await store.rootOf(piece.id)).id, 'stranger-2');
  // reloaded (a second run): the same ids for the same faces
  const reloaded = await StrangerBook.load(store, 'm', 'cosine', 0.3);
  assert.equal((await reloaded.identify([{ vector: unit(16, 0, 2, 0.1), quality: 0.7 }])).id, 'stranger-1');
  assert.equal((await reloaded.identify([{ vector: unit(16, 1, 5, 0.6), quality: 0.7 }])).id, 'stranger-2');
  // un-merge: the piece stands on its own again
  await store.unmergeStranger(piece.id);
  assert.equal((await store.rootOf(piece.id)).id, piece.id);
  await g.close();
});

test('constrainMatches: a correction drops the person for that face and faces nearer to it; one person per photo', () => {
  const ann = { personId: 'ann', distance: 0.3 };
  const bob = { personId: 'bob', distance: 0.35 };
  const corrected: Correction = { id: 'c', personId: 'ann', model: 'm', embedding: unit(8, 0), origin: 'identify', ref: null, created: '' };
  const [near, far] = constrainMatches([
    { vector: unit(8, 0, 1, 0.2), candidates: [ann, bob] },
    { vector: unit(8, 3), candidates: [ann] },
  ], { corrections: [corrected], metric: 'cosine', threshold: 0.4 });
  assert.equal(near.match?.personId, 'bob', 'the face near the corrected one falls to its next candidate');
  assert.equal(far.match?.personId, 'ann', 'a face far from the corrected one keeps Ann');
  const [x, y] = constrainMatches([
    { vector: unit(8, 0), candidates: [{ personId: 'ann', distance: 0.2 }] },
    { vector: unit(8, 1), candidates: [{ personId: 'ann', distance: 0.1 }] },
  ], { corrections: [], metric: 'cosine', threshold: 0.4 });
  assert.deepEqual([x.match, y.match?.personId], [null, 'ann'], 'the nearer face keeps Ann, the other is unknown');
});

test('people merge and un-merge: faces, sightings and corrections move, and come back under the old id', async () => {
  const g = await openGallery(join(dir, 'merge.db'));
  const store = FootageStore.of(g);
  const a = await g.enrollPerson({ name: 'Ann', metadata: { team: 'a' } }, [{ model: 'm', embedding: unit(8, 0) }, { model: 'm', embedding: unit(8, 0, 1, 0.1) }]);
  const b = await g.enrollPerson({ name: 'Annie' }, [{ model: 'm', embedding: unit(8, 0, 2, 0.1) }]);
  const at = '2026-01-01T00:00:00.000Z';
  await store.addSighting({ personId: a.person.id, source: 'door', startTime: 0, endTime: 1, startedAt: at, endedAt: at });
  await store.addCorrection({ personId: a.person.id, model: 'm', embedding: unit(8, 5), origin: 'identify' });
  await merge(g, 'Ann', 'Annie');
  await assert.rejects(g.getPerson(a.person.id), /not found/);
  assert.equal((await g.listFaces(b.person.id)).length, 3);
  assert.equal((await store.listSightings({ personId: b.person.id })).length, 1);
  assert.equal(g.identifyEmbedding('m', unit(8, 0), { threshold: 0.01 })?.personId, b.person.id, 'the index follows the faces');
  await unmerge(g, a.person.id);
  const back = await g.getPerson(a.person.id);
  assert.deepEqual([back.name, back.metadata], ['Ann', { team: 'a' }]);
  assert.equal((await g.listFaces(a.person.id)).length, 2);
  assert.equal((await g.listFaces(b.person.id)).length, 1);
  assert.equal((await store.listSightings({ personId: a.person.id })).length, 1);
  assert.deepEqual((await store.corrections()).map((c) => c.personId), [a.person.id]);
  assert.equal(g.identifyEmbedding('m', unit(8, 0), { threshold: 0.01 })?.personId, a.person.id);
  await assert.rejects(unmerge(g, a.person.id), /no merge/);
  await g.close();
});

test('strangers and sightings belong to the collection the gallery is open on, and go with it', async () => {
  const path = join(dir, 'collections.db');
  const main = await openGallery(path);
  await main.createCollection({ name: 'site', model: null, settings: {} });
  const site = await openGallery(path, { collection: 'site' });
  const siteStore = FootageStore.of(site);
  const s = await siteStore.newStranger([{ model: 'm', embedding: unit(8, 2), quality: 0.8 }], '2026-01-01T00:00:00.000Z');
  await siteStore.addSighting({ strangerId: s.id, source: 'door', startTime: 0, endTime: 1, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z' });
  assert.deepEqual((await siteStore.listStrangers()).map((x) => x.id), [s.id]);
  assert.equal((await siteStore.listSightings()).length, 1);
  const defaultStore = FootageStore.of(main);
  assert.deepEqual(await defaultStore.listStrangers(), [], 'the default collection does not see the site\'s strangers');
  assert.deepEqual(await defaultStore.listSightings(), []);
  await site.close();
  await main.deleteCollection('site');
  await main.close();
  const raw = new Database(path, { readonly: true });
  for (const t of ['strangers', 'stranger_faces', 'sightings']) {
    assert.equal((raw.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE collection = 'site'`).get() as { n: number }).n, 0, `${t} rows of the deleted collection`);
  }
  raw.close();
});
