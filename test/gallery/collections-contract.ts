/**
 * Collections, as both stores must keep them (run by collections-sqlite.test.ts and
 * collections-postgres.test.ts): isolated people, faces and indexes per collection, a model per
 * collection, delete in one go, changes reaching only the collection they belong to, kept crops
 * and the move to another model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveCollectionModel, openGallery, siteCalibration, storeSiteCalibration, type Gallery, type OpenGalleryOptions } from '../../src/gallery/index.ts';
import { fitCalibration } from '../../src/compare/index.ts';
import { near, rng, unitVector } from './helpers.ts';

const M = 'test-model';
const D = 32;

export function collectionsContract(label: string, newLocation: () => Promise<string>, defaults: OpenGalleryOptions = {}): void {
  const opened: Gallery[] = [];
  const open = async (loc: string, opts: OpenGalleryOptions = {}) => {
    const g = await openGallery(loc, { encryptionKey: null, ...defaults, ...opts });
    opened.push(g);
    return g;
  };
  const closeAll = async () => {
    for (const g of opened.splice(0)) await g.close();
  };

  test(`${label}: collections are isolated galleries (people, faces, index, search)`, async (t) => {
    t.after(closeAll);
    const loc = await newLocation();
    const def = await open(loc);
    assert.equal(def.collection, 'default');
    assert.deepEqual((await def.listCollections()).map((c) => c.name), ['default']);
    await def.createCollection({ name: 'office', model: M });
    await def.createCollection({ name: 'school' });
    await assert.rejects(() => def.createCollection({ name: 'office' }), (e: any) => e.code === 'CONFLICT');
    await assert.rejects(() => def.createCollection({ name: '../x' }), (e: any) => e.code === 'BAD_ARGUMENT');
    await assert.rejects(() => open(loc, { collection: 'nowhere' }), (e: any) => e.code === 'NOT_FOUND' && /collection nowhere/.test(e.message));

    const office = await open(loc, { collection: 'office' });
    const school = await open(loc, { collection: 'school' });
    const r = rng(3);
    const ann = unitVector(D, r);
    const { person: annOffice } = await office.enrollPerson({ name: 'Ann' }, [{ model: M, embedding: near(ann, 0.1, r) }]);
    const { person: bobSchool } = await school.enrollPerson({ name: 'Bob' }, [{ model: M, embedding: unitVector(D, r) }]);

    // people and faces of one collection are not seen, found or changed through another
    assert.deepEqual((await office.listPeople()).items.map((p) => p.name), ['Ann']);
    assert.deepEqual((await school.listPeople()).items.map((p) => p.name), ['Bob']);
    assert.equal((await def.listPeople()).total, 0);
    await assert.rejects(() => school.getPerson(annOffice.id), (e: any) => e.code === 'NOT_FOUND');
    await assert.rejects(() => school.deletePerson(annOffice.id), (e: any) => e.code === 'NOT_FOUND');
    await assert.rejects(() => school.addFaces(annOffice.id, [{ model: M, embedding: unitVector(D, r) }]), (e: any) => e.code === 'NOT_FOUND');
    const annFace = (await office.listFaces(annOffice.id))[0];
    await assert.rejects(() => school.deleteFace(annFace.id), (e: any) => e.code === 'NOT_FOUND');
    assert.deepEqual(await school.store.getFacesByIds([annFace.id]), []);
    assert.equal(await office.store.countFaces(), 1);

    // the index of each collection holds its own faces only
    const probe = near(ann, 0.1, r);
    assert.equal(office.search(M, probe).people[0]?.personId, annOffice.id);
    assert.deepEqual(school.search(M, probe).people.map((p) => p.personId), [bobSchool.id]);
    assert.deepEqual(def.search(M, probe).people, []);
    // a second instance on the same collection sees the same, and none of the others'
    const office2 = await open(loc, { collection: 'office' });
    assert.deepEqual(office2.models().map((m) => m.faces), [1]);

    // a collection with a model takes faces of that model only
    await assert.rejects(
      () => office.enrollPerson({ name: 'Cy' }, [{ model: 'other-model', embedding: unitVector(D, r) }]),
      (e: any) => e.code === 'BAD_ARGUMENT' && /collection office holds test-model embeddings, not other-model/.test(e.message),
    );
  });

  test(`${label}: a write reaches other instances of its collection only`, async (t) => {
    t.after(closeAll);
    const loc = await newLocation();
    const def = await open(loc);
    await def.createCollection({ name: 'a' });
    await def.createCollection({ name: 'b' });
    const a1 = await open(loc, { collection: 'a' });
    const a2 = await open(loc, { collection: 'a' });
    const b = await open(loc, { collection: 'b' });
    const r = rng(5);
    await a1.enrollPerson({ name: 'Ann' }, [{ model: M, embedding: unitVector(D, r) }]);
    const deadline = Date.now() + 3000;
    while (a2.models().length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    await a2.settled();
    assert.deepEqual(a2.models().map((m) => m.faces), [1], 'the other instance of collection a sees the face');
    await new Promise((res) => setTimeout(res, 700)); // past a SQLite poll
    await b.settled();
    await def.settled();
    assert.deepEqual(b.models(), []);
    assert.deepEqual(def.models(), []);
  });

  test(`${label}: deleting a collection removes its people, faces and index entries, and nothing else`, async (t) => {
    t.after(closeAll);
    const loc = await newLocation();
    const def = await open(loc);
    await def.createCollection({ name: 'gone', settings: { keepCrops: true } });
    const gone = await open(loc, { collection: 'gone' });
    const r = rng(9);
    const v = unitVector(D, r);
    await gone.enrollPerson({ name: 'Ann' }, [{ model: M, embedding: v, crop: { image: new Uint8Array([1, 2, 3]), face: { box: { x: 0, y: 0, w: 1, h: 1 } } } }, { model: M, embedding: unitVector(D, r) }]);
    const { person: kept } = await def.enrollPerson({ name: 'Kept' }, [{ model: M, embedding: v }]);
    const watcher = await open(loc, { collection: 'gone' });
    assert.deepEqual(watcher.models().map((m) => m.faces), [2]);

    assert.deepEqual(await def.deleteCollection('gone'), { people: 1, faces: 2 });
    assert.deepEqual((await def.listCollections()).map((c) => c.name), ['default']);
    await assert.rejects(() => def.deleteCollection('default'), (e: any) => e.code === 'BAD_ARGUMENT');
    await assert.rejects(() => def.deleteCollection('gone'), (e: any) => e.code === 'NOT_FOUND');
    // the default collection is untouched
    assert.equal((await def.getPerson(kept.id)).name, 'Kept');
    assert.equal(def.search(M, v).people[0].personId, kept.id);
    // an instance still open on the deleted collection drops its index and takes no more writes
    const deadline = Date.now() + 3000;
    while (watcher.models().some((m) => m.faces > 0) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(watcher.search(M, v).people, []);
    await assert.rejects(() => watcher.createPerson('Late'), (e: any) => e.code === 'NOT_FOUND' && /collection gone/.test(e.message));
  });

  test(`${label}: a fitted calibration is kept with its collection`, async (t) => {
    t.after(closeAll);
    const loc = await newLocation();
    const def = await open(loc);
    await def.createCollection({ name: 'site' });
    const site = await open(loc, { collection: 'site' });
    const cal = fitCalibration([0.1, 0.2, 0.25, 0.3], [0.7, 0.8, 0.9, 0.95, 0.6], { model: M, metric: 'cosine', targetFar: 0.1, dataset: 'unit' });
    await storeSiteCalibration(site, cal, '/photos/site');
    const back = await siteCalibration(site, M, 'cosine');
    assert.equal(back?.source, '/photos/site');
    assert.equal(back?.calibration.threshold, cal.threshold);
    assert.deepEqual(back?.calibration.pairs, { genuine: 4, impostor: 5 });
    assert.equal(await siteCalibration(def, M, 'cosine'), null, 'the default collection has none');
    assert.equal(await siteCalibration(site, M, 'euclidean'), null);
  });

  test(`${label}: moving a collection to another model re-embeds kept crops, or refuses without them`, async (t) => {
    t.after(closeAll);
    const loc = await newLocation();
    const def = await open(loc);
    await def.createCollection({ name: 'kept', model: M, settings: { keepCrops: true } });
    await def.createCollection({ name: 'bare', model: M });
    const kept = await open(loc, { collection: 'kept' });
    const bare = await open(loc, { collection: 'bare' });
    const r = rng(11);
    const crop = (k: number) => ({ image: new Uint8Array([k, k + 1, k + 2]), face: { box: { x: k, y: 0, w: 4, h: 4 } } });
    const { person: ann } = await kept.enrollPerson({ name: 'Ann' }, [{ model: M, embedding: unitVector(D, r), crop: crop(1) }, { model: M, embedding: unitVector(D, r), crop: crop(7) }]);
    await bare.enrollPerson({ name: 'Bob' }, [{ model: M, embedding: unitVector(D, r), crop: crop(3) }]);

    // the "new model" embeds a crop as a vector made from its bytes, so the test can tell which crop became which face
    const seen: number[][] = [];
    const embed = async (c: { image: Uint8Array; face: { box: { x: number } } }) => {
      seen.push([...c.image]);
      const v = new Float32Array(8);
      v[c.image[0] % 8] = 1;
      return v;
    };
    await assert.rejects(
      () => moveCollectionModel(bare, 'new-model', embed),
      (e: any) => e.code === 'CONFLICT' && /1 of its 1 faces have no kept crop .*keeping crops is off.*photos are needed again/.test(e.message),
    );
    assert.equal((await bare.collectionInfo()).model, M, 'a refused move changes nothing');
    assert.deepEqual(bare.models().map((m) => m.model), [M]);

    const report = await moveCollectionModel(kept, 'new-model', embed);
    assert.deepEqual(report, { collection: 'kept', from: [M], to: 'new-model', faces: 2 });
    assert.deepEqual(seen.sort(), [[1, 2, 3], [7, 8, 9]]);
    assert.equal((await kept.collectionInfo()).model, 'new-model');
    assert.deepEqual(kept.models().map((m) => [m.model, m.dims, m.faces]), [['new-model', 8, 2]]);
    const probe = new Float32Array(8);
    probe[7] = 1;
    assert.equal(kept.search('new-model', probe).people[0].personId, ann.id);
    assert.ok(kept.search('new-model', probe).candidates[0].distance < 1e-6);
    // faces of the old model are refused now
    await assert.rejects(() => kept.addFaces(ann.id, [{ model: M, embedding: unitVector(D, r) }]), (e: any) => e.code === 'BAD_ARGUMENT');
    // another instance of the collection follows the move
    const again = await open(loc, { collection: 'kept' });
    assert.deepEqual(again.models().map((m) => m.model), ['new-model']);
  });
}
