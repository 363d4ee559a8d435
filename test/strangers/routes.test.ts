/**
 * The REST routes over strangers and sightings: list strangers, name one (its sightings then carry
 * the person), list sightings by person, a sighting's crop, "not this person" on a sighting; a
 * server without a shareable gallery answers 501.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGallery } from '../../src/gallery/index.ts';
import { FootageStore } from '../../src/strangers/index.ts';
import { withFootage } from '../../src/strangers/service.ts';
import { postJson, startHarness, type Harness } from '../server/helpers.ts';
import { FakeFaceService } from '../server/fake-service.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-strangers-routes-'));
const db = join(dir, 'g.db');
let h: Harness;
let memory: Harness;
let sightingId: string;

before(async () => {
  const g = await openGallery(db);
  const store = FootageStore.of(g);
  const v = new Float32Array([1, 0, 0, 0]);
  const s = await store.newStranger([{ model: 'm', embedding: v, quality: 0.8, crop: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) }], '2026-01-01T00:00:00.000Z');
  sightingId = await store.addSighting({ strangerId: s.id, source: 'door', startTime: 1, endTime: 3, startedAt: '2026-01-01T00:00:01.000Z', endedAt: '2026-01-01T00:00:03.000Z', model: 'm', embedding: v, crop: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) });
  await g.close();
  h = await startHarness({ service: await withFootage(async (_o: { db?: string }) => new FakeFaceService())({ db }) });
  memory = await startHarness({ service: await withFootage(async (_o: { db?: string }) => new FakeFaceService())({ db: ':memory:' }) });
});

after(async () => {
  await h?.close();
  await memory?.close();
});

test('strangers and sightings over REST: name a stranger, its sightings carry the name; crops; corrections', async () => {
  const list = await (await fetch(`${h.url}/v1/strangers`)).json() as { strangers: { id: string }[] };
  assert.deepEqual(list.strangers.map((s) => s.id), ['stranger-1']);
  const named = await postJson(`${h.url}/v1/strangers/stranger-1/name`, { name: 'Ann' });
  assert.equal(named.status, 200, await named.clone().text());
  assert.equal(((await named.json()) as { sightings: number }).sightings, 1);
  const seen = await (await fetch(`${h.url}/v1/sightings?person=Ann`)).json() as { sightings: { id: string; name: string; source: string }[] };
  assert.deepEqual(seen.sightings.map((s) => [s.id, s.name, s.source]), [[sightingId, 'Ann', 'door']]);
  const crop = await fetch(`${h.url}/v1/sightings/${sightingId}/crop`);
  assert.equal(crop.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual([...new Uint8Array(await crop.arrayBuffer())], [0xff, 0xd8, 0xff, 0xd9]);
  const not = await postJson(`${h.url}/v1/sightings/${sightingId}/not`, {});
  assert.equal(not.status, 200, await not.clone().text());
  const after = await (await fetch(`${h.url}/v1/sightings?person=Ann`)).json() as { sightings: unknown[] };
  assert.equal(after.sightings.length, 0, 'the corrected sighting no longer carries Ann');
  assert.equal((await fetch(`${h.url}/v1/sightings/nope/crop`)).status, 404);
});

test('a server over an in-memory gallery has no footage routes: 501', async () => {
  assert.equal((await fetch(`${memory.url}/v1/strangers`)).status, 501);
});
