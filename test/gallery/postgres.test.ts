/**
 * PostgreSQL store: the shared contract, reliability, and cross-process visibility. Needs a server:
 * `eval "$(scripts/ci-postgres.sh)"` exports FACEKIT_TEST_PG_URL; without it these tests skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openGallery, type Gallery } from '../../src/gallery/index.ts';
import { storeContract } from './contract.ts';
import { startWorker } from './reliability.ts';
import { near, rng, unitVector } from './helpers.ts';
import { databases, PG_URL, skipAll } from './pg-database.ts';

if (!PG_URL) {
  skipAll('postgres gallery tests');
} else {
  const newDatabase = databases(PG_URL);
  storeContract('postgres', newDatabase);

  test('postgres: a write through one instance is searchable through another within one second', async (t) => {
    const url = await newDatabase();
    const a = await openGallery(url, { encryptionKey: null });
    const b = await openGallery(url, { encryptionKey: null });
    t.after(async () => {
      await a.close();
      await b.close();
    });
    const r = rng(21);
    const centre = unitVector(64, r);
    const t0 = Date.now();
    const { person, faces } = await a.enrollPerson({ name: 'Seen' }, [{ model: 'm', embedding: near(centre, 0.2, r) }]);
    const probe = near(centre, 0.2, r);
    assert.equal(await waitFor(() => b.identifyEmbedding('m', probe, { threshold: 0.5 })?.personId === person.id, 1000), true, 'visible in b within 1 s');
    const seenAfter = Date.now() - t0;
    t.diagnostic(`visible in the other instance after ${seenAfter} ms`);
    await a.renamePerson(person.id, 'Renamed');
    assert.equal(await waitFor(() => b.search('m', probe, { topK: 1 }).candidates[0]?.name === 'Renamed', 1000), true, 'rename seen');
    await a.deleteFace(faces[0].id);
    assert.equal(await waitFor(() => b.search('m', probe, { topK: 1 }).candidates.length === 0, 1000), true, 'deleted face gone from b');
    const second = await b.enrollPerson({ name: 'Back' }, [{ model: 'm', embedding: probe }]);
    assert.equal(await waitFor(() => a.search('m', probe, { topK: 1 }).candidates[0]?.personId === second.person.id, 1000), true, 'and the other way');
    await b.deletePerson(second.person.id);
    assert.equal(await waitFor(() => a.identifyEmbedding('m', probe, { threshold: 2 }) === null, 1000), true, 'deleted person gone from a');
  });

  test('postgres: an enrollment by another process is searchable here within one second', async (t) => {
    const url = await newDatabase();
    const g: Gallery = await openGallery(url, { encryptionKey: null });
    t.after(() => g.close());
    const seed = 4242;
    const w = startWorker(url, 0, 1, `one:${seed}`);
    await w.done;
    assert.deepEqual(w.bad, []);
    const ack = w.acks[0];
    // the same identity the child enrolled, from the same seed
    const r = rng(seed);
    const probe = near(unitVector(128, r), 0.2, r);
    const found = await waitFor(() => g.identifyEmbedding('stress-model', probe, { threshold: 0.5 })?.personId === ack.personId, 1000, ack.at);
    assert.equal(found, true, 'the other process\'s enrollment is found within 1 s of its commit');
  });
}

async function waitFor(cond: () => boolean, ms: number, from = Date.now()): Promise<boolean> {
  while (Date.now() - from <= ms) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
