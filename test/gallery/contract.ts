/**
 * Behaviour both stores must show, run by sqlite.test.ts and postgres.test.ts. `newLocation` gives
 * a fresh, empty gallery location (file path or database URL) each call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { exportGallery, importGallery, openGallery, type Gallery, type OpenGalleryOptions } from '../../src/gallery/index.ts';
import { near, rng, tempDir, unitVector, TEST_KEY_HEX } from './helpers.ts';

const M = 'test-model';
const D = 64;

export function storeContract(label: string, newLocation: () => Promise<string>, defaults: OpenGalleryOptions = {}): void {
  const opened: Gallery[] = [];
  const locations = new WeakMap<Gallery, string>();
  const open = async (loc: string, opts: OpenGalleryOptions = {}) => {
    const g = await openGallery(loc, { encryptionKey: null, ...defaults, ...opts });
    opened.push(g);
    locations.set(g, loc);
    return g;
  };
  /** where `g` lives, to open a second instance on it */
  const reopenable = async (g: Gallery) => locations.get(g)!;
  const closeAll = async () => {
    for (const g of opened.splice(0)) await g.close();
  };

  test(`${label}: people CRUD, paging, rename, metadata, NOT_FOUND names the id`, async (t) => {
    t.after(closeAll);
    const g = await open(await newLocation());
    const ann = await g.createPerson('Ann', { team: 'a' });
    const bob = await g.createPerson('Bob');
    assert.equal((await g.getPerson(ann.id)).name, 'Ann');
    assert.deepEqual((await g.getPerson(ann.id)).metadata, { team: 'a' });
    const page1 = await g.listPeople({ limit: 1 });
    const page2 = await g.listPeople({ offset: 1, limit: 1 });
    assert.equal(page1.total, 2);
    assert.deepEqual([...page1.items, ...page2.items].map((p) => p.id).sort(), [ann.id, bob.id].sort());
    await g.renamePerson(ann.id, 'Anne');
    await g.setMetadata(ann.id, { team: 'b', n: 2 });
    const again = await g.getPerson(ann.id);
    assert.equal(again.name, 'Anne');
    assert.deepEqual(again.metadata, { team: 'b', n: 2 });
    await g.deletePerson(bob.id);
    for (const call of [() => g.getPerson(bob.id), () => g.renamePerson(bob.id, 'x'), () => g.addFaces(bob.id, [{ model: M, embedding: unitVector(D, rng(1)) }]), () => g.deleteFace('no-such-face')]) {
      await assert.rejects(call, (e: any) => e.code === 'NOT_FOUND' && /(no-such-face|[0-9a-f-]{36})/.test(e.message));
    }
    await assert.rejects(() => g.getPerson(bob.id), (e: any) => e.message.includes(bob.id));
    await assert.rejects(() => g.createPerson(''), (e: any) => e.code === 'BAD_ARGUMENT');
    // metadata is returned with every listing: over 64 KB of JSON is refused, naming both sizes
    const huge = { notes: 'x'.repeat(70 * 1024) };
    await assert.rejects(() => g.createPerson('Big', huge), (e: any) => e.code === 'BAD_ARGUMENT' && /metadata is \d+ bytes as JSON; the limit is 65536/.test(e.message));
    await assert.rejects(() => g.setMetadata(ann.id, huge), (e: any) => e.code === 'BAD_ARGUMENT');
  });

  test(`${label}: faces add/list/delete keep the index in step; renamed names show in results`, async (t) => {
    t.after(closeAll);
    const g = await open(await newLocation());
    const r = rng(7);
    const a = unitVector(D, r);
    const b = unitVector(D, r);
    const ann = await g.createPerson('Ann');
    const [fa] = await g.addFaces(ann.id, [{ model: M, embedding: a, detectorScore: 0.9, quality: 0.8, box: { x: 1, y: 2, w: 3, h: 4 }, imageSha256: 'ab' }]);
    assert.equal(g.search(M, a, { topK: 1 }).candidates[0].faceId, fa.id);
    const [fb] = await g.addFaces(ann.id, [{ model: M, embedding: b }]);
    assert.equal(g.search(M, b, { topK: 1 }).candidates[0].faceId, fb.id, 'a new face is searchable at once');
    const faces = await g.listFaces(ann.id);
    assert.equal(faces.length, 2);
    const stored = faces.find((f) => f.id === fa.id)!;
    assert.deepEqual(stored.box, { x: 1, y: 2, w: 3, h: 4 });
    assert.equal(stored.detectorScore, 0.9);
    assert.deepEqual(Array.from(stored.embedding), Array.from(a));
    await g.deleteFace(fb.id);
    const hits = g.search(M, b, { topK: 5 }).candidates;
    assert.ok(!hits.some((h) => h.faceId === fb.id), 'a deleted face is not returned');
    assert.equal(hits[0].faceId, fa.id);
    await g.renamePerson(ann.id, 'Anne');
    assert.equal(g.search(M, a, { topK: 1 }).candidates[0].name, 'Anne');
  });

  test(`${label}: a deleted person can no longer match`, async (t) => {
    t.after(closeAll);
    const g = await open(await newLocation());
    const r = rng(11);
    const centre = unitVector(D, r);
    const other = await g.enrollPerson({ name: 'Other' }, [{ model: M, embedding: unitVector(D, r) }]);
    const { person } = await g.enrollPerson({ name: 'Gone' }, [0, 1, 2].map(() => ({ model: M, embedding: near(centre, 0.3, r) })));
    const probe = near(centre, 0.3, r);
    assert.equal(g.identifyEmbedding(M, probe, { threshold: 0.5 })?.personId, person.id);
    await g.deletePerson(person.id);
    assert.equal(g.identifyEmbedding(M, probe, { threshold: 0.5 }), null);
    assert.deepEqual(new Set(g.search(M, probe, { topK: 10 }).candidates.map((c) => c.personId)), new Set([other.person.id]));
    const reopened = await open(await reopenable(g));
    assert.equal(reopened.identifyEmbedding(M, probe, { threshold: 0.5 }), null);
  });

  test(`${label}: an enrollment is all or nothing; models never mix`, async (t) => {
    t.after(closeAll);
    const g = await open(await newLocation());
    const r = rng(3);
    const first = await g.enrollPerson({ name: 'First' }, [{ model: M, embedding: unitVector(D, r) }]);
    const dupId = first.faces[0].id;
    await assert.rejects(
      () => g.enrollPerson({ name: 'Half' }, [{ model: M, embedding: unitVector(D, r) }, { id: dupId, model: M, embedding: unitVector(D, r) }]),
      (e: any) => e.code === 'CONFLICT',
    );
    const people = await g.listPeople();
    assert.deepEqual(people.items.map((p) => p.name), ['First'], 'the failed enrollment left no person behind');
    assert.equal(await g.store.countFaces(), 1);
    const v = unitVector(32, r);
    await g.enrollPerson({ name: 'Other model' }, [{ model: 'model-b', embedding: v }]);
    assert.equal(g.search(M, unitVector(D, r), { topK: 10 }).candidates.length, 1);
    assert.equal(g.search('model-b', v, { topK: 10 }).candidates[0].name, 'Other model');
    await assert.rejects(() => g.addFaces(first.person.id, [{ model: M, embedding: unitVector(D + 1, r) }]), (e: any) => e.code === 'BAD_ARGUMENT');
  });

  test(`${label}: person rules min and mean-top2; open-set threshold`, async (t) => {
    t.after(closeAll);
    const g = await open(await newLocation());
    const r = rng(5);
    const q = unitVector(D, r);
    // A has one very close face and one far; B has two moderately close faces
    const a = await g.enrollPerson({ name: 'A' }, [{ model: M, embedding: near(q, 0.2, r) }, { model: M, embedding: unitVector(D, r) }]);
    const b = await g.enrollPerson({ name: 'B' }, [{ model: M, embedding: near(q, 0.6, r) }, { model: M, embedding: near(q, 0.6, r) }]);
    const byMin = g.search(M, q, { topK: 4, rule: 'min' }).people;
    const byMean = g.search(M, q, { topK: 4, rule: 'mean-top2' }).people;
    assert.equal(byMin[0].personId, a.person.id);
    assert.equal(byMean[0].personId, b.person.id);
    const best = byMin[0].distance;
    assert.equal(g.identifyEmbedding(M, q, { threshold: best + 1e-6, rule: 'min' })?.personId, a.person.id);
    assert.equal(g.identifyEmbedding(M, q, { threshold: best - 1e-6, rule: 'min' }), null);
    assert.equal(g.identifyEmbedding('unknown-model', q, { threshold: 2 }), null);
  });

  test(`${label}: export -> import round-trips exactly; conflicts merge, error or get new ids`, async (t) => {
    t.after(closeAll);
    const tmp = tempDir('facekit-export-');
    t.after(tmp.cleanup);
    const src = await open(await newLocation());
    const r = rng(9);
    for (let i = 0; i < 5; i++) {
      await src.enrollPerson({ name: `P${i}`, metadata: { i, tags: ['x'] } }, [0, 1].map(() => ({ model: M, embedding: unitVector(D, r), quality: 0.5, box: { x: i, y: 0, w: 10, h: 10 } })));
    }
    // awkward floats: subnormal, negative zero, extremes
    await src.enrollPerson({ name: 'Odd' }, [{ model: M, embedding: Float32Array.from([1e-45, -0, 3.4028234663852886e38, -1.1754943508222875e-38, ...new Array(D - 4).fill(0.125)]) }]);
    await src.createPerson('No faces', { note: 'none' });
    const file = join(tmp.dir, 'gallery.jsonl');
    const n = await exportGallery(src, file);
    assert.deepEqual(n, { people: 7, faces: 11 });

    const dst = await open(await newLocation());
    const rep = await importGallery(dst, file);
    assert.equal(rep.peopleAdded, 7);
    assert.equal(rep.facesAdded, 11);
    await assertSameGallery(src, dst);

    const again = await importGallery(dst, file);
    assert.deepEqual(again, { peopleAdded: 0, peopleExisting: 7, facesAdded: 0, facesSkipped: 11 });
    await assert.rejects(() => importGallery(dst, file, { onConflict: 'error' }), (e: any) => e.code === 'CONFLICT');
    const fresh = await importGallery(dst, file, { onConflict: 'new-ids' });
    assert.equal(fresh.peopleAdded, 7);
    assert.equal((await dst.listPeople()).total, 14);
  });

  test(`${label}: encryption at rest: on, off, wrong key, missing key`, async (t) => {
    t.after(closeAll);
    const loc = await newLocation();
    const g = await open(loc, { encryptionKey: TEST_KEY_HEX });
    assert.equal(g.store.encrypted, true);
    const v = unitVector(D, rng(13));
    const { faces } = await g.enrollPerson({ name: 'Secret' }, [{ model: M, embedding: v }]);
    await g.close();
    await assert.rejects(() => open(loc, { encryptionKey: null }), (e: any) => e.code === 'STORE_ERROR' && /encrypted/.test(e.message) && /FACEKIT_GALLERY_KEY/.test(e.message));
    const wrong = TEST_KEY_HEX.replace(/^00/, '01');
    await assert.rejects(() => open(loc, { encryptionKey: wrong }), (e: any) => e.code === 'STORE_ERROR' && /wrong encryption key/.test(e.message));
    await assert.rejects(() => open(loc, { encryptionKey: 'short' }), (e: any) => e.code === 'BAD_ARGUMENT');
    const base64Key = Buffer.from(TEST_KEY_HEX, 'hex').toString('base64');
    const back = await open(loc, { encryptionKey: base64Key });
    assert.deepEqual(Array.from((await back.listFaces(faces[0].personId))[0].embedding), Array.from(v));
    assert.equal(back.search(M, v, { topK: 1 }).candidates[0].faceId, faces[0].id);

    const plainLoc = await newLocation();
    const plain = await open(plainLoc);
    assert.equal(plain.store.encrypted, false);
    await plain.enrollPerson({ name: 'Plain' }, [{ model: M, embedding: v }]);
    await plain.close();
    await assert.rejects(() => open(plainLoc, { encryptionKey: TEST_KEY_HEX }), (e: any) => e.code === 'STORE_ERROR' && /unencrypted/.test(e.message));
  });

}

async function assertSameGallery(a: Gallery, b: Gallery): Promise<void> {
  const people = async (g: Gallery) => {
    const out = [];
    for await (const batch of g.store.allPeople()) out.push(...batch);
    return out.sort((x, y) => (x.id < y.id ? -1 : 1));
  };
  const faces = async (g: Gallery) => {
    const out = [];
    for await (const batch of g.store.allFaces()) out.push(...batch);
    return out.sort((x, y) => (x.id < y.id ? -1 : 1));
  };
  assert.deepEqual(await people(b), await people(a));
  const fa = await faces(a);
  const fb = await faces(b);
  assert.equal(fb.length, fa.length);
  for (let i = 0; i < fa.length; i++) {
    const bytesA = Buffer.from(fa[i].embedding.buffer, fa[i].embedding.byteOffset, fa[i].embedding.byteLength);
    const bytesB = Buffer.from(fb[i].embedding.buffer, fb[i].embedding.byteOffset, fb[i].embedding.byteLength);
    assert.ok(bytesA.equals(bytesB), `embedding of face ${fa[i].id} is bit-identical`);
    assert.deepEqual({ ...fb[i], embedding: null }, { ...fa[i], embedding: null });
  }
}
