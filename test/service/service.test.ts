import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FacekitError } from '../../src/errors/index.ts';
import type { FaceService } from '../../src/server/service.ts';
import { createService } from '../../src/service/index.ts';
import { blankImage, faceCrop, groupPhoto, whichGroupFace } from './photos.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-service-'));
const dbFile = join(dir, 'gallery.db');
const runs: { model: string; seconds: number }[] = [];
let service: FaceService;
const crops: Buffer[] = [];

function rejectsWith(code: string) {
  return (e: unknown) => e instanceof FacekitError && e.code === code;
}

before(async () => {
  service = await createService({ db: dbFile, onInference: (model, seconds) => runs.push({ model, seconds }) });
  for (let i = 0; i < 3; i++) crops.push(await faceCrop(i));
});

after(async () => {
  await service?.close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('createService over the library', () => {
  it('detect finds the three faces of the group photo and reports the detector run', async () => {
    runs.length = 0;
    const r = await service.detect(groupPhoto(), { maxPixels: 40_000_000 });
    assert.equal(r.width, 1920);
    assert.equal(r.height, 1280);
    assert.deepEqual(r.faces.map((f) => whichGroupFace(f.box)).sort(), [0, 1, 2]);
    for (const f of r.faces) assert.equal(f.landmarks5.length, 5);
    assert.ok(runs.some((x) => x.model === 'fr_detect' && x.seconds > 0), JSON.stringify(runs));
  });

  it('maxPixels reaches the decoder: a large image is refused with IMAGE_TOO_LARGE', async () => {
    await assert.rejects(service.detect(groupPhoto(), { maxPixels: 1000 }), rejectsWith('IMAGE_TOO_LARGE'));
  });

  it('detector skip takes the whole image as one face', async () => {
    const r = await service.detect(crops[0], { detector: 'skip' });
    assert.equal(r.faces.length, 1);
    assert.deepEqual(r.faces[0].box, { x: 0, y: 0, w: r.width, h: r.height });
  });

  it('represent embeds every face (unit-length vectors) and reports the model run', async () => {
    runs.length = 0;
    const r = await service.represent(groupPhoto(), {});
    assert.equal(r.faces.length, 3);
    for (const f of r.faces) {
      assert.equal(f.model, 'fr_feature');
      assert.ok(f.embedding.length >= 128);
      assert.ok(f.embedding.every(Number.isFinite));
      assert.ok(Math.hypot(...f.embedding) > 0);
    }
    assert.notDeepEqual(r.faces[0].embedding, r.faces[1].embedding);
    assert.ok(runs.some((x) => x.model === 'fr_feature'));
  });

  it('represent: no face is NO_FACE, unless enforceDetection is false (whole image)', async () => {
    const blank = await blankImage();
    await assert.rejects(service.represent(blank, {}), rejectsWith('NO_FACE'));
    const r = await service.represent(blank, { enforceDetection: false });
    assert.equal(r.faces.length, 1);
    assert.deepEqual(r.faces[0].box, { x: 0, y: 0, w: 200, h: 200 });
  });

  it('verify: a face matches a rescaled copy of itself and not its neighbour', async () => {
    const same = await service.verify(crops[0], await faceCrop(0, 0.6), {});
    assert.equal(same.verified, true);
    assert.ok(same.distance < same.threshold);
    const diff = await service.verify(crops[0], crops[1], {});
    assert.equal(diff.verified, false);
    assert.ok(diff.distance > same.distance);
    assert.ok(same.confidence! > diff.confidence!, `${same.confidence} vs ${diff.confidence}`);
    assert.equal(diff.metric, 'cosine');
    assert.equal(diff.faces.length, 2);
    const strict = await service.verify(crops[0], await faceCrop(0, 0.6), { threshold: same.distance / 2 });
    assert.equal(strict.verified, false);
  });

  it('verify with a fusion: one detection per image, every member embeds, 1 - mean calibrated P(same)', async () => {
    const other = await faceCrop(0, 0.6);
    runs.length = 0;
    const fused = await service.verify(crops[0], other, { model: 'fusion' });
    assert.equal(fused.metric, 'fused');
    assert.match(fused.model, /^fusion:mean\(fr_feature\/cosine\+faceapi-recognition\/cosine\)$/);
    // each image detected once, and embedded by both members
    assert.equal(runs.filter((x) => x.model === 'fr_feature').length, 2, JSON.stringify(runs));
    assert.equal(runs.filter((x) => x.model === 'faceapi-recognition').length, 2, JSON.stringify(runs));
    assert.equal(runs.filter((x) => !['fr_feature', 'faceapi-recognition'].includes(x.model)).length, 2, JSON.stringify(runs));
    const members = await Promise.all(['fr_feature', 'faceapi-recognition'].map((model) => service.verify(crops[0], other, { model })));
    const expected = 1 - (members[0].confidence! + members[1].confidence!) / 2;
    // distance and confidences are each reported to 4 decimals
    assert.ok(Math.abs(fused.distance - expected) < 2e-4, `${fused.distance} vs ${expected}`);
    assert.equal(fused.verified, fused.distance <= fused.threshold);
    const diff = await service.verify(crops[0], crops[1], { model: 'fusion' });
    assert.ok(diff.distance > fused.distance && !diff.verified, `${diff.distance} vs ${fused.distance}`);
  });

  it('bad input is a FacekitError: garbage bytes, unknown action, no face', async () => {
    await assert.rejects(service.detect(Buffer.from('not an image'), {}), rejectsWith('BAD_IMAGE'));
    await assert.rejects(service.analyze(crops[0], { actions: ['height' as never] }), rejectsWith('BAD_ARGUMENT'));
    await assert.rejects(service.analyze(await blankImage(), {}), rejectsWith('NO_FACE'));
    // a fusion decides on its own fused score: a metric with it is a mistake, named before any model runs
    await assert.rejects(service.verify(crops[0], crops[1], { model: 'fusion', metric: 'euclidean' }), rejectsWith('BAD_ARGUMENT'));
    // and it verifies pairs only: a gallery search with it names the one-model way out
    await assert.rejects(service.identify(crops[0], { model: 'fusion' }), (e: unknown) => rejectsWith('BAD_ARGUMENT')(e) && /one recognition model/.test((e as Error).message));
  });

  it('analyze estimates age, gender, emotion and race per face', async () => {
    runs.length = 0;
    const r = await service.analyze(groupPhoto(), {});
    assert.equal(r.faces.length, 3);
    for (const f of r.faces) {
      const a = f.attributes;
      assert.ok(typeof a.age === 'number' && a.age > 10 && a.age < 70, `age ${a.age}`);
      assert.ok(Math.abs(a.gender!.female + a.gender!.male - 1) < 1e-3, JSON.stringify(a.gender));
      // three young women
      assert.ok(a.gender!.female > 0.5, JSON.stringify(a.gender));
      const emotions = Object.values(a.emotion!);
      assert.ok(emotions.length >= 5 && Math.abs(emotions.reduce((x, y) => x + y, 0) - 1) < 1e-2);
      assert.ok(Object.keys(a.race!).length >= 2);
    }
    assert.ok(runs.length > 1, JSON.stringify(runs));
    const onlyAge = await service.analyze(crops[1], { actions: ['age'] });
    assert.deepEqual(Object.keys(onlyAge.faces[0].attributes), ['age']);
  });

  it('antiSpoofing runs the spoof model on the faces used (a real photo passes or is SPOOF, never another error)', async () => {
    runs.length = 0;
    try {
      await service.detect(crops[0], { antiSpoofing: true });
    } catch (e) {
      assert.ok(e instanceof FacekitError && e.code === 'SPOOF', String(e));
    }
    const models = runs.map((x) => x.model);
    assert.ok(models.length === 2 && models[0] === 'fr_detect', JSON.stringify(models));
  });
});

describe('people and identify over a SQLite gallery', () => {
  it('enrolls, lists, identifies, edits and deletes', async () => {
    const a = await service.people.create({ name: 'Alice', metadata: { team: 'x' }, images: [crops[0]] }, {});
    assert.equal(a.faceCount, 1);
    assert.equal(a.faces.length, 1);
    assert.ok(a.faces[0].box && a.faces[0].box.w > 50);
    const b = await service.people.create({ name: 'Bob', images: [crops[1]] }, {});
    const page = await service.people.list({ offset: 0, limit: 10 });
    assert.equal(page.total, 2);
    assert.equal(page.totalFaces, 2);
    assert.deepEqual(page.people.map((p) => p.name).sort(), ['Alice', 'Bob']);

    // identify: A and B found where they stand, C (not enrolled) matches nobody
    const id = await service.identify(groupPhoto(), {});
    assert.equal(id.faces.length, 3);
    const byFace = new Map(id.faces.map((f) => [whichGroupFace(f.box), f]));
    assert.equal(byFace.get(0)?.match?.personId, a.id);
    assert.equal(byFace.get(0)?.match?.name, 'Alice');
    assert.ok(byFace.get(0)!.match!.confidence > 0.5 && byFace.get(0)!.match!.confidence <= 1);
    assert.equal(byFace.get(1)?.match?.personId, b.id);
    // the stranger: unknown, with the nearest people still listed
    assert.equal(byFace.get(2)?.match, null);
    assert.equal(byFace.get(2)?.candidates.length, 2);
    assert.ok(byFace.get(2)!.candidates[0].distance > id.threshold);

    const more = await service.people.addFaces(a.id, [await faceCrop(0, 0.6)], {});
    assert.equal(more.faces.length, 1);
    assert.equal((await service.people.get(a.id)).faceCount, 2);
    // a face must belong to the person named in the path
    await assert.rejects(service.people.deleteFace(b.id, more.faces[0].id), rejectsWith('NOT_FOUND'));
    await service.people.deleteFace(a.id, more.faces[0].id);
    assert.equal((await service.people.get(a.id)).faceCount, 1);

    assert.equal((await service.people.rename(a.id, 'Alicia')).name, 'Alicia');
    assert.deepEqual((await service.people.setMetadata(a.id, { role: 'lead' })).metadata, { role: 'lead' });
    const renamed = await service.identify(groupPhoto(), { topK: 2 });
    assert.ok(renamed.faces.some((f) => f.match?.name === 'Alicia'));

    await service.people.delete(b.id);
    await assert.rejects(service.people.get(b.id), rejectsWith('NOT_FOUND'));
    const after = await service.identify(groupPhoto(), {});
    assert.ok(after.faces.every((f) => f.candidates.every((m) => m.personId !== b.id)));
    await service.people.delete(a.id);
  });

  it('creates a person without photos, then enrolls faces for them', async () => {
    const p = await service.people.create({ name: 'Dana' }, {});
    assert.equal(p.faceCount, 0);
    assert.deepEqual(p.faces, []);
    await service.people.addFaces(p.id, [crops[1]], {});
    const id = await service.identify(crops[1], {});
    assert.equal(id.faces[0].match?.name, 'Dana');
    await service.people.delete(p.id);
  });

  it('refuses images that are not one person, storing nothing', async () => {
    await assert.rejects(service.people.create({ name: 'Nobody', images: [crops[0], await blankImage()] }, {}), rejectsWith('NO_FACE'));
    await assert.rejects(service.people.create({ name: 'Crowd', images: [groupPhoto()] }, {}), rejectsWith('MANY_FACES'));
    assert.equal((await service.people.list({ offset: 0, limit: 10 })).total, 0);
    await assert.rejects(service.people.addFaces('no-such-person', [crops[0]], {}), rejectsWith('NOT_FOUND'));
  });

  it('the SQLite file keeps the gallery across restarts', async () => {
    const c = await service.people.create({ name: 'Carol', images: [crops[2]] }, {});
    await service.close?.();
    service = await createService({ db: dbFile });
    assert.equal((await service.people.get(c.id)).name, 'Carol');
    const id = await service.identify(crops[2], {});
    assert.equal(id.faces[0].match?.personId, c.id);
  });
});
