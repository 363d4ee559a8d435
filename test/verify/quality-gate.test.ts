/**
 * Below the minimum quality there is no yes/no: verify answers verified null and identify match
 * null, each with `undecided` and the reason, in the library and over REST; enrollment refuses a
 * poor photo with its reasons unless forced. Photos: crops of face-api's sample1.jpg.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { DEFAULT_MIN_QUALITY, verify } from '../../src/verify/index.ts';
import { enroll, identify, openGallery } from '../../src/identify/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { createService } from '../../src/service/index.ts';
import type { FaceService } from '../../src/server/service.ts';
import { faceCrop } from '../service/photos.ts';
import { postJson, startHarness, type Harness } from '../server/helpers.ts';

const darkCopy = async (photo: Buffer) => sharp(photo).linear(0.15, 0).jpeg({ quality: 92 }).toBuffer();

test('verify: a face below the minimum quality gets undecided with the reason, never a yes/no', async () => {
  const photo = await faceCrop(0);
  const dark = await darkCopy(photo);
  const r = await verify(photo, dark, { threshold: 0.5 });
  assert.equal(r.verified, null);
  assert.ok(r.undecided, 'undecided is set');
  assert.match(r.undecided.reason, /the second face's quality 0\.\d\d is below the minimum 0\.25 \(.*too dark.*\): no decision/);
  assert.ok(r.faces[1].quality!.score < DEFAULT_MIN_QUALITY && r.faces[0].quality!.score >= DEFAULT_MIN_QUALITY);
  // the gate is the caller's to lower: at 0 the same pair is decided
  const decided = await verify(photo, dark, { threshold: 0.5, minQuality: 0 });
  assert.equal(typeof decided.verified, 'boolean');
  assert.equal(decided.undecided, undefined);
  // a good pair is decided under the default gate
  const good = await verify(photo, await sharp(photo).flop().jpeg().toBuffer(), { threshold: 0.5 });
  assert.equal(good.verified, true);
  await assert.rejects(verify(photo, photo, { minQuality: 2 }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
});

test('enroll refuses a photo below the quality bar with its reasons (nothing written); force enrolls it', async () => {
  const g = await openGallery(':memory:');
  try {
    const dark = await darkCopy(await faceCrop(0));
    await assert.rejects(enroll(g, 'C', [dark]), (e: unknown) => {
      assert.ok(e instanceof FacekitError && e.code === 'LOW_QUALITY', String(e));
      assert.match(e.message, /image #1 is below the enrollment quality bar: quality 0\.\d\d < 0\.5 \(.*too dark/);
      assert.ok((e.details!.reasons as string[]).includes('too dark'));
      return true;
    });
    assert.equal((await g.listPeople({ offset: 0, limit: 10 })).total, 0, 'nothing written, no person created');
    const forced = await enroll(g, 'C', [dark], { force: true });
    assert.equal(forced.photos.length, 1);
    assert.ok(forced.photos[0].quality!.score < 0.5);
  } finally {
    await g.close();
  }
});

test('identify: a face below the minimum quality is undecided (match null), a good one is matched', async () => {
  const g = await openGallery(':memory:');
  try {
    const photo = await faceCrop(0);
    await enroll(g, 'C', [photo]);
    const good = await identify(g, await sharp(photo).flop().jpeg().toBuffer(), { threshold: 0.5 });
    assert.equal(good.faces[0].match?.name, 'C');
    const low = await identify(g, await darkCopy(photo), { threshold: 0.5 });
    assert.equal(low.faces[0].match, null);
    assert.match(low.faces[0].undecided?.reason ?? '', /the face's quality .* is below the minimum/);
    const ungated = await identify(g, await darkCopy(photo), { threshold: 0.5, minQuality: 0 });
    assert.equal(ungated.faces[0].undecided, undefined);
  } finally {
    await g.close();
  }
});

describe('REST: the quality gate and the enrollment review (library service)', () => {
  let h: Harness;
  let service: FaceService;
  before(async () => {
    service = await createService({ db: ':memory:' });
    h = await startHarness({ service });
  });
  after(async () => {
    await h.close();
    await service.close?.();
  });

  test('POST /v1/verify answers verified null with undecided; POST /v1/detect shows quality', async () => {
    const photo = await faceCrop(0);
    const res = await postJson(`${h.url}/v1/verify`, { image1: photo.toString('base64'), image2: (await darkCopy(photo)).toString('base64'), threshold: 0.5 });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { verified: boolean | null; undecided?: { reason: string }; faces: { quality: { score: number; reasons: string[] } }[] };
    assert.equal(body.verified, null);
    assert.match(body.undecided?.reason ?? '', /second face's quality .* below the minimum/);
    assert.ok(body.faces[1].quality.reasons.includes('too dark'));
    const det = await postJson(`${h.url}/v1/detect`, { image: photo.toString('base64') });
    const faces = ((await det.json()) as { faces: { quality?: { score: number } }[] }).faces;
    assert.ok(faces[0].quality && faces[0].quality.score >= 0.5, JSON.stringify(faces[0]));
  });

  test('createService used directly applies the same default gate as verify() and identify(); 0 turns it off', async () => {
    const photo = await faceCrop(0);
    const dark = await darkCopy(photo);
    const r = await service.verify(photo, dark, { threshold: 0.5 });
    assert.equal(r.verified, null);
    assert.match(r.undecided?.reason ?? '', /second face's quality .* below the minimum 0\.25/);
    const decided = await service.verify(photo, dark, { threshold: 0.5, minQuality: 0 });
    assert.equal(typeof decided.verified, 'boolean');
    assert.equal(decided.undecided, undefined);
    const who = await service.identify(dark, { threshold: 0.5 });
    assert.match(who.faces[0].undecided?.reason ?? '', /the face's quality .* is below the minimum/);
    assert.equal((await service.identify(dark, { threshold: 0.5, minQuality: 0 })).faces[0].undecided, undefined);
  });

  test('POST /v1/people answers 422 LOW_QUALITY with the reasons; force: true enrolls', async () => {
    const dark = (await darkCopy(await faceCrop(0))).toString('base64');
    const res = await postJson(`${h.url}/v1/people`, { name: 'C', images: [dark] });
    assert.equal(res.status, 422, await res.clone().text());
    const err = ((await res.json()) as { error: { code: string; details: { reasons: string[] } } }).error;
    assert.equal(err.code, 'LOW_QUALITY');
    assert.ok(err.details.reasons.includes('too dark'));
    const forced = await postJson(`${h.url}/v1/people`, { name: 'C', images: [dark], force: true });
    assert.equal(forced.status, 201, await forced.clone().text());
  });
});
