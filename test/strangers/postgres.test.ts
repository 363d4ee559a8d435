/**
 * The strangers/sightings/corrections store on PostgreSQL (when FACEKIT_TEST_PG_URL is set): the
 * same records as on SQLite, sealed with the gallery key, named, pruned, deleted with the person.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openGallery } from '../../src/gallery/index.ts';
import { FootageStore, listSightings, nameStranger, StrangerBook } from '../../src/strangers/index.ts';
import { float32ToBytes } from '../../src/gallery/codec.ts';
import { databases, PG_URL, skipAll } from '../gallery/pg-database.ts';

const KEY = 'cd'.repeat(32);

if (!PG_URL) skipAll('strangers on PostgreSQL');
else {
  const fresh = databases(PG_URL);

  test('PostgreSQL: strangers keep ids, naming carries sightings, data sealed, deleted with the person, pruned', async () => {
    const url = await fresh();
    const g = await openGallery(url, { encryptionKey: KEY });
    const store = FootageStore.of(g);
    const book = await StrangerBook.load(store, 'm', 'cosine', 0.3);
    const v = new Float32Array([1, 0, 0, 0]);
    const w = new Float32Array([0, 1, 0, 0]);
    const a = await book.identify([{ vector: v, quality: 0.9 }], { crop: Buffer.from('a') });
    const b = await book.identify([{ vector: w, quality: 0.9 }], { at: '2026-01-02T00:00:00.000Z' });
    assert.deepEqual([a.id, b.id], ['stranger-1', 'stranger-2']);
    for (const [id, at] of [[a.id, '2026-01-01T00:00:00.000Z'], [a.id, '2026-03-01T00:00:00.000Z'], [b.id, '2026-01-02T00:00:00.000Z']]) {
      await store.addSighting({ strangerId: id, source: 'door', startTime: 0, endTime: 1, startedAt: at, endedAt: at, model: 'm', embedding: id === a.id ? v : w });
    }
    const again = await (await StrangerBook.load(store, 'm', 'cosine', 0.3)).identify([{ vector: v, quality: 0.5 }]);
    assert.equal(again.id, 'stranger-1', 'a reloaded book gives the same id');
    const named = await nameStranger(g, 'stranger-1', 'Ann');
    assert.equal(named.sightings, 2);
    assert.deepEqual((await listSightings(g, { person: 'Ann' })).map((s) => s.name), ['Ann', 'Ann']);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const row = (await c.query('SELECT embedding FROM stranger_faces LIMIT 1')).rows[0] as { embedding: Buffer };
    assert.ok(!row.embedding.includes(float32ToBytes(v)) && !row.embedding.includes(float32ToBytes(w)), 'sealed');
    await c.end();
    await store.setRetentionDays(30);
    assert.deepEqual(await store.prune(new Date('2026-03-10T00:00:00.000Z')), { sightings: 2, strangers: 1 });
    await g.deletePerson(named.person.id);
    assert.deepEqual(await store.listSightings(), []);
    assert.deepEqual(await store.listStrangers({ all: true }), []);
    await g.close();
  });
}
