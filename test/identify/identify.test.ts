import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FacekitError } from '../../src/errors/index.ts';
import {
  enroll, exportGallery, findPerson, identify, importGallery, openGallery, peopleWithFaceCounts, type Gallery, type IdentifiedFace,
} from '../../src/identify/index.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
// the three faces the default detector finds in sample1.jpg (x, y, w, h)
const FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;
const dir = mkdtempSync(join(tmpdir(), 'facekit-identify-'));
let gallery: Gallery;
const crops: string[] = [];

/** One face cut from the group photo with a margin, mirrored and resized: a different photo of that person. */
async function cropFace(i: number): Promise<string> {
  const [x, y, w, h] = FACES[i];
  const m = Math.round(0.6 * Math.max(w, h));
  const out = join(dir, `face${i}.png`);
  await sharp(GROUP).extract({ left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m }).flop().resize(360).modulate({ brightness: 1.08 }).png().toFile(out);
  return out;
}

/** the identified face whose box centre lies inside the given detector box */
function faceAt(faces: IdentifiedFace[], i: number): IdentifiedFace {
  const [x, y, w, h] = FACES[i];
  const f = faces.find((f) => {
    const cx = f.box.x + f.box.w / 2;
    const cy = f.box.y + f.box.h / 2;
    return cx > x && cx < x + w && cy > y && cy < y + h;
  });
  assert.ok(f, `no face found at face ${i}`);
  return f;
}

async function rejects(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof FacekitError && e.code === code && re.test(e.message));
}

before(async () => {
  gallery = await openGallery(join(dir, 'g.db'));
  for (let i = 0; i < 3; i++) crops.push(await cropFace(i));
});
after(() => gallery.close());

test('one-shot enroll from a crop, then the person is found in the group photo and a stranger is unknown', async () => {
  const ann = await enroll(gallery, 'Ann', [crops[0]]);
  assert.equal(ann.created, true);
  assert.equal(ann.photos.length, 1);
  assert.match(ann.photos[0].imageSha256, /^[0-9a-f]{64}$/);
  assert.equal(ann.photos[0].faceIds.length, 1);
  const bob = await enroll(gallery, { name: 'Bob', metadata: { team: 'b' } }, [crops[1]]);

  const r = await identify(gallery, GROUP);
  assert.equal(r.faces.length, 3);
  const a = faceAt(r.faces, 0);
  assert.equal(a.match?.personId, ann.person.id);
  assert.equal(a.match?.name, 'Ann');
  assert.ok(a.match!.distance <= r.threshold);
  assert.ok(a.match!.confidence > 0.5 && a.match!.confidence <= 1);
  assert.equal(faceAt(r.faces, 1).match?.personId, bob.person.id);
  const stranger = faceAt(r.faces, 2);
  assert.equal(stranger.match, null);
  // candidates are still listed for an unknown face, nearest first, beyond the threshold
  assert.equal(stranger.candidates.length, 2);
  assert.ok(stranger.candidates[0].distance > r.threshold);
  assert.ok(stranger.candidates[0].distance <= stranger.candidates[1].distance);
});

test('photos that fail leave the gallery unchanged: no face, several faces', async () => {
  const blank = join(dir, 'blank.png');
  await sharp({ create: { width: 300, height: 300, channels: 3, background: '#888' } }).png().toFile(blank);
  const before = (await gallery.listPeople()).total;
  await rejects(enroll(gallery, 'Cat', [crops[2], blank]), 'NO_FACE', /blank\.png/);
  await rejects(enroll(gallery, 'Cat', [crops[2], GROUP]), 'MANY_FACES', /3 faces in .*sample1\.jpg/);
  assert.equal((await gallery.listPeople()).total, before);
  // an existing person: nothing added either
  const ann = (await gallery.listPeople()).items.find((p) => p.name === 'Ann')!;
  await rejects(enroll(gallery, { id: ann.id }, [crops[0], blank]), 'NO_FACE', /blank\.png/);
  assert.equal((await gallery.listFaces(ann.id)).length, 1);
  await rejects(enroll(gallery, { id: 'no-such-person' }, [crops[0]]), 'NOT_FOUND', /no-such-person/);
  const corrupt = join(dir, 'corrupt.jpg');
  writeFileSync(corrupt, 'not an image');
  await rejects(enroll(gallery, 'Cat', [corrupt]), 'BAD_IMAGE', /corrupt\.jpg/);
});

test('allowLargest enrolls the largest face of a group photo; adding photos to an existing id', async () => {
  const g = await openGallery(join(dir, 'largest.db'));
  try {
    const r = await enroll(g, 'Largest', [GROUP], { allowLargest: true });
    // face 2 (220x213) is the largest box in sample1
    assert.ok(Math.abs(r.photos[0].box.x - FACES[2][0]) < 30, JSON.stringify(r.photos[0].box));
    const more = await enroll(g, { id: r.person.id }, [crops[2]]);
    assert.equal(more.created, false);
    assert.equal((await g.listFaces(r.person.id)).length, 2);
    assert.equal((await peopleWithFaceCounts(g))[0].faces, 2);
  } finally {
    await g.close();
  }
});

test('enrolling a name again adds to that person; a name two people share is a CONFLICT listing both ids', async () => {
  const g = await openGallery(join(dir, 'names.db'));
  try {
    const first = await enroll(g, 'Dee', [crops[2]]);
    const again = await enroll(g, { name: 'Dee', metadata: { ignored: true } }, [crops[2]]);
    assert.equal(again.created, false);
    assert.equal(again.person.id, first.person.id);
    assert.deepEqual((await g.listPeople()).items.map((p) => p.name), ['Dee']);
    assert.equal((await g.listFaces(first.person.id)).length, 2);
    assert.deepEqual((await g.getPerson(first.person.id)).metadata, {}, 'metadata is set on a new person only');

    const twin = await g.createPerson('Dee');
    await assert.rejects(enroll(g, 'Dee', [crops[2]]), (e: unknown) => e instanceof FacekitError && e.code === 'CONFLICT'
      && e.message.includes(first.person.id) && e.message.includes(twin.id));
    assert.equal((await findPerson(g, twin.id)).id, twin.id, 'an id still names one of them');
    await rejects(findPerson(g, 'Dee'), 'CONFLICT', /2 people are named Dee/);
    await rejects(findPerson(g, 'Zed'), 'NOT_FOUND', /Zed/);
  } finally {
    await g.close();
  }
});

test('rename shows in identify; delete means no longer matched', async () => {
  const people = (await gallery.listPeople()).items;
  const ann = people.find((p) => p.name === 'Ann')!;
  const bob = people.find((p) => p.name === 'Bob')!;
  await gallery.renamePerson(ann.id, 'Annie');
  await gallery.deletePerson(bob.id);
  const r = await identify(gallery, GROUP);
  assert.equal(faceAt(r.faces, 0).match?.name, 'Annie');
  assert.equal(faceAt(r.faces, 1).match, null);
  assert.ok(faceAt(r.faces, 1).candidates.every((c) => c.personId !== bob.id));
});

test('export then import into a new gallery identifies the same', async () => {
  const file = join(dir, 'export.jsonl');
  const counts = await exportGallery(gallery, file);
  assert.deepEqual(counts, { people: 1, faces: 1 });
  const g2 = await openGallery(join(dir, 'imported.db'));
  try {
    const rep = await importGallery(g2, file);
    assert.equal(rep.peopleAdded, 1);
    const a = await identify(gallery, crops[0]);
    const b = await identify(g2, crops[0]);
    assert.equal(b.faces[0].match?.name, 'Annie');
    assert.equal(b.faces[0].match?.personId, a.faces[0].match?.personId);
    assert.equal(b.faces[0].match?.distance, a.faces[0].match?.distance);
  } finally {
    await g2.close();
  }
});

test('identify with a model the gallery has no faces for is a clear error; an explicit threshold is used', async () => {
  await rejects(identify(gallery, GROUP, { model: 'faceres', threshold: 0.5 }), 'BAD_ARGUMENT', /no faces embedded with model faceres.*fr_feature/);
  const strict = await identify(gallery, GROUP, { threshold: 1e-6 });
  assert.equal(strict.threshold, 1e-6);
  assert.ok(strict.faces.every((f) => f.match === null));
  assert.ok(faceAt(strict.faces, 0).candidates[0].name === 'Annie');
});

test('other metrics: euclidean_l2 distances are the cosine ones converted, with the same people ranked', async () => {
  const cos = await identify(gallery, crops[0]);
  const l2 = await identify(gallery, crops[0], { metric: 'euclidean_l2' });
  const eu = await identify(gallery, crops[0], { metric: 'euclidean' });
  assert.equal(l2.metric, 'euclidean_l2');
  assert.equal(l2.faces[0].match?.name, cos.faces[0].match?.name);
  const d = cos.faces[0].candidates[0].distance;
  // both reported to 4 decimals
  assert.ok(Math.abs(l2.faces[0].candidates[0].distance - Math.sqrt(2 * d)) < 2e-4);
  // fr_feature embeddings are unit length, so plain euclidean agrees with euclidean_l2
  assert.ok(Math.abs(eu.faces[0].candidates[0].distance - l2.faces[0].candidates[0].distance) < 1e-4);
  assert.notEqual(l2.threshold, cos.threshold);
});
