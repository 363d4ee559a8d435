/**
 * Collections over REST with the library's service on a real SQLite gallery: CRUD, people kept
 * apart per collection, delete, and API keys limited to collections (a key for A never reads or
 * writes B, nor reaches routes that do not say which collection they act on).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createService } from '../../src/service/index.ts';
import { createKey } from '../../src/server/keys/manage.ts';
import { MemoryKeyStore } from '../../src/server/keys/store.ts';
import { bearer, postJson, startHarness, type Harness } from './helpers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const dir = mkdtempSync(join(tmpdir(), 'facekit-rest-collections-'));
const keyStore = new MemoryKeyStore();
let h: Harness;
let admin: string;
let keyA: string;
let readA: string;

before(async () => {
  const service = await createService({ db: join(dir, 'g.db') });
  h = await startHarness({ service: service as never }, keyStore);
  admin = (await createKey(keyStore, { scopes: ['admin'] })).token;
  keyA = (await createKey(keyStore, { scopes: ['read', 'write'], collections: ['a'] })).token;
  readA = (await createKey(keyStore, { scopes: ['read'], collections: ['a'] })).token;
});
after(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, token: string) => fetch(`${h.url}${path}`, { headers: bearer(token) });
const del = (path: string, token: string) => fetch(`${h.url}${path}`, { method: 'DELETE', headers: bearer(token) });
const names = async (r: Response) => ((await r.json()) as { people: { name: string }[] }).people.map((p) => p.name).sort();

test('REST: collections CRUD and people kept apart per collection', async () => {
  for (const name of ['a', 'b']) assert.equal((await postJson(`${h.url}/v1/collections`, { name, keepCrops: name === 'b' }, bearer(admin))).status, 201);
  assert.equal((await postJson(`${h.url}/v1/collections`, { name: 'a' }, bearer(admin))).status, 409);
  const list = (await (await get('/v1/collections', admin)).json()) as { collections: { name: string; keepCrops: boolean }[] };
  assert.deepEqual(list.collections.map((c) => [c.name, c.keepCrops]), [['default', false], ['a', false], ['b', true]]);

  assert.equal((await postJson(`${h.url}/v1/people?collection=a`, { name: 'Ann' }, bearer(admin))).status, 201);
  assert.equal((await postJson(`${h.url}/v1/people?collection=b`, { name: 'Bob' }, bearer(admin))).status, 201);
  assert.equal((await postJson(`${h.url}/v1/people`, { name: 'Dee' }, bearer(admin))).status, 201);
  assert.deepEqual(await names(await get('/v1/people?collection=a', admin)), ['Ann']);
  assert.deepEqual(await names(await get('/v1/people?collection=b', admin)), ['Bob']);
  assert.deepEqual(await names(await get('/v1/people', admin)), ['Dee']);
  assert.equal((await get('/v1/people?collection=nope', admin)).status, 404);
  const b = (await (await get('/v1/collections/b', admin)).json()) as { people: number; keepCrops: boolean };
  assert.deepEqual([b.people, b.keepCrops], [1, true]);
  // a person of b is not found through a
  const bob = ((await (await get('/v1/people?collection=b', admin)).json()) as { people: { id: string }[] }).people[0];
  assert.equal((await get(`/v1/people/${bob.id}?collection=a`, admin)).status, 404);
  assert.equal((await del(`/v1/people/${bob.id}?collection=a`, admin)).status, 404);
  assert.equal((await get(`/v1/people/${bob.id}?collection=b`, admin)).status, 200);
});

test('REST: a key limited to collection a never reads or writes b or default', async () => {
  // its own collection: read and write
  assert.equal((await postJson(`${h.url}/v1/people?collection=a`, { name: 'Al' }, bearer(keyA))).status, 201);
  assert.deepEqual(await names(await get('/v1/people?collection=a', keyA)), ['Al', 'Ann']);
  assert.equal((await get('/v1/collections/a', keyA)).status, 200);
  // the others: 403 for every read and write, through the query and through the path
  const bob = ((await (await get('/v1/people?collection=b', admin)).json()) as { people: { id: string }[] }).people[0];
  const refused = [
    await get('/v1/people?collection=b', keyA),
    await get('/v1/people', keyA),
    await get(`/v1/people/${bob.id}?collection=b`, keyA),
    await del(`/v1/people/${bob.id}?collection=b`, keyA),
    await postJson(`${h.url}/v1/people?collection=b`, { name: 'Eve' }, bearer(keyA)),
    await postJson(`${h.url}/v1/people`, { name: 'Eve' }, bearer(keyA)),
    await get('/v1/collections/b', keyA),
    await del('/v1/collections/b', keyA),
    await postJson(`${h.url}/v1/collections`, { name: 'c' }, bearer(keyA)),
    // a route that does not act on a collection (deepface's gallery search, the key list) is refused too
    await postJson(`${h.url}/search`, { img: 'x' }, bearer(keyA)),
  ];
  for (const r of refused) {
    assert.equal(r.status, 403, `${r.url} gave ${r.status}`);
    // deepface's routes answer in deepface's shape ({error: message})
    const { error } = (await r.json()) as { error: string | { message: string } };
    assert.match(typeof error === 'string' ? error : error.message, /limited to collections \[a\]/);
  }
  // nothing of b changed, and the list shows a key its own collections only
  assert.deepEqual(await names(await get('/v1/people?collection=b', admin)), ['Bob']);
  assert.deepEqual(await names(await get('/v1/people', admin)), ['Dee']);
  const seen = (await (await get('/v1/collections', keyA)).json()) as { collections: { name: string }[] };
  assert.deepEqual(seen.collections.map((c) => c.name), ['a']);
  // scopes still apply inside the collection
  assert.equal((await postJson(`${h.url}/v1/people?collection=a`, { name: 'Zed' }, bearer(readA))).status, 403);
});

test('REST: deleting a collection removes its people; the collection is gone for every route', async () => {
  const r = await del('/v1/collections/b', admin);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { people: 1, faces: 0 });
  assert.equal((await get('/v1/people?collection=b', admin)).status, 404);
  assert.equal((await del('/v1/collections/default', admin)).status, 400);
  assert.deepEqual(await names(await get('/v1/people', admin)), ['Dee']);
  assert.deepEqual(await names(await get('/v1/people?collection=a', admin)), ['Al', 'Ann']);
});
