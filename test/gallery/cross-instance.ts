/**
 * One gallery, one truth: two instances on the same store (in this process, or another process
 * such as the CLI) see each other's writes within `withinMs`, for both stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openGallery, type Gallery } from '../../src/gallery/index.ts';
import { startWorker } from './reliability.ts';
import { near, rng, unitVector } from './helpers.ts';

export function crossInstanceTests(label: string, newLocation: () => Promise<string>, withinMs: number): void {
  test(`${label}: a write through one instance is searchable through another within ${withinMs} ms`, async (t) => {
    const url = await newLocation();
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
    assert.equal(await waitFor(() => b.identifyEmbedding('m', probe, { threshold: 0.5 })?.personId === person.id, withinMs), true, 'visible in b');
    t.diagnostic(`visible in the other instance after ${Date.now() - t0} ms`);
    await a.renamePerson(person.id, 'Renamed');
    assert.equal(await waitFor(() => b.search('m', probe, { topK: 1 }).candidates[0]?.name === 'Renamed', withinMs), true, 'rename seen');
    await a.deleteFace(faces[0].id);
    assert.equal(await waitFor(() => b.search('m', probe, { topK: 1 }).candidates.length === 0, withinMs), true, 'deleted face gone from b');
    const second = await b.enrollPerson({ name: 'Back' }, [{ model: 'm', embedding: probe }]);
    assert.equal(await waitFor(() => a.search('m', probe, { topK: 1 }).candidates[0]?.personId === second.person.id, withinMs), true, 'and the other way');
    await b.deletePerson(second.person.id);
    assert.equal(await waitFor(() => a.identifyEmbedding('m', probe, { threshold: 2 }) === null, withinMs), true, 'deleted person gone from a');
  });

  test(`${label}: another process deletes one person and enrolls another; both show here within ${withinMs} ms`, async (t) => {
    const url = await newLocation();
    const g: Gallery = await openGallery(url, { encryptionKey: null });
    t.after(() => g.close());
    const r = rng(7);
    const goneProbe = unitVector(128, r);
    const gone = await g.enrollPerson({ name: 'Gone' }, [{ model: 'stress-model', embedding: goneProbe }]);
    assert.equal(g.identifyEmbedding('stress-model', goneProbe, { threshold: 0.5 })?.personId, gone.person.id);

    const del = startWorker(url, 0, 1, `delete:${gone.person.id}`);
    await del.done;
    assert.deepEqual(del.bad, []);
    const deleted = await waitFor(() => g.identifyEmbedding('stress-model', goneProbe, { threshold: 2 }) === null, withinMs, del.acks[0].at);
    assert.equal(deleted, true, 'the person deleted by the other process is no longer identified');

    const seed = 4242;
    const add = startWorker(url, 0, 2, `one:${seed}`);
    await add.done;
    assert.deepEqual(add.bad, []);
    // the same identity the child enrolled, from the same seed
    const rs = rng(seed);
    const probe = near(unitVector(128, rs), 0.2, rs);
    const found = await waitFor(() => g.identifyEmbedding('stress-model', probe, { threshold: 0.5 })?.personId === add.acks[0].personId, withinMs, add.acks[0].at);
    assert.equal(found, true, "the other process's enrollment is found");
  });
}

async function waitFor(cond: () => boolean, ms: number, from = Date.now()): Promise<boolean> {
  while (Date.now() - from <= ms) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
