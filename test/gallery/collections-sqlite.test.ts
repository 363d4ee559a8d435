/** Collections on SQLite, and an existing (schema 3) gallery file opened by this version. */
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/gallery/migrations.ts';
import { openGallery } from '../../src/gallery/index.ts';
import { collectionsContract } from './collections-contract.ts';
import { rng, tempDir, unitVector } from './helpers.ts';

const tmp = tempDir('facekit-collections-');
after(tmp.cleanup);
let n = 0;
collectionsContract('sqlite', async () => join(tmp.dir, `c${n++}.db`));

test('sqlite: a schema-3 gallery file opens as the default collection, unchanged', async () => {
  const path = join(tmp.dir, 'v3.db');
  // the file as facekit wrote it before collections: schema steps 1-3 and its rows
  const db = new Database(path);
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (3);');
  for (const m of MIGRATIONS.filter((x) => x.version <= 3)) db.exec(m.sqlite);
  const v = unitVector(16, rng(1));
  const bytes = Buffer.from(v.buffer.slice(0));
  db.prepare(`INSERT INTO people (id, name, metadata, created) VALUES ('p1', 'Ann', '{"team":"a"}', '2025-01-01T00:00:00.000Z')`).run();
  db.prepare(`INSERT INTO faces (id, person_id, model, embedding, dims, created) VALUES ('f1', 'p1', 'm', ?, 16, '2025-01-01T00:00:00.000Z')`).run(bytes);
  db.prepare(`INSERT INTO changes (change) VALUES ('{"op":"person","origin":"old","personId":"p1"}')`).run();
  db.close();

  const g = await openGallery(path, { encryptionKey: null });
  try {
    assert.equal(g.collection, 'default');
    const p = await g.getPerson('p1');
    assert.deepEqual([p.name, p.metadata], ['Ann', { team: 'a' }]);
    assert.deepEqual(g.models().map((m) => [m.model, m.faces]), [['m', 1]]);
    assert.equal(g.search('m', v).people[0].personId, 'p1');
    const info = await g.collectionInfo();
    assert.deepEqual([info.name, info.model, info.settings], ['default', null, {}]);
    await g.addFaces('p1', [{ model: 'm', embedding: unitVector(16, rng(2)) }]);
    assert.equal((await g.listFaces('p1')).length, 2);
  } finally {
    await g.close();
  }
  const check = new Database(path, { readonly: true });
  assert.ok((check.prepare('SELECT version FROM schema_version').get() as { version: number }).version >= 4);
  assert.deepEqual(check.prepare('SELECT DISTINCT collection FROM people').all(), [{ collection: 'default' }]);
  check.close();
});
