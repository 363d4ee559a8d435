/**
 * One shape everywhere: the same photo through the library, the CLI's --json and the REST server
 * (in-process, over the real library service) gives the same face records, field for field and
 * value for value, rounded the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { enroll, identify, openGallery, type Gallery } from '../../src/identify/index.ts';
import type { FaceService } from '../../src/server/service.ts';
import { createService } from '../../src/service/index.ts';
import { verify } from '../../src/verify/index.ts';
import { facekit } from '../cli/helpers.ts';
import { dataUrl, postJson, startHarness, type Harness } from '../server/helpers.ts';
import { faceCrop, GROUP_PHOTO, groupPhoto } from './photos.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-shapes-'));
const db = join(dir, 'gallery.db');
const crops: string[] = [];
let gallery: Gallery;
let service: FaceService;
let h: Harness;

before(async () => {
  for (let i = 0; i < 2; i++) {
    crops.push(join(dir, `face${i}.jpg`));
    writeFileSync(crops[i], await faceCrop(i));
  }
  gallery = await openGallery(db);
  await enroll(gallery, 'Ada', [crops[0]]);
  service = await createService({ db });
  h = await startHarness({ service });
});

after(async () => {
  await h?.close();
  await service?.close?.();
  await gallery?.close();
  rmSync(dir, { recursive: true, force: true });
});

const isRoundedTo = (v: number, decimals: number) => Math.abs(v * 10 ** decimals - Math.round(v * 10 ** decimals)) < 1e-6;

interface FaceRecord { box: Record<string, number>; score: number; landmarks5: number[][] }

function assertRounded(face: FaceRecord, where: string): void {
  for (const v of [...Object.values(face.box), ...face.landmarks5.flat()]) assert.ok(isRoundedTo(v, 1), `${where}: ${v} is not to 0.1 px`);
  assert.ok(isRoundedTo(face.score, 4), `${where}: score ${face.score}`);
}

async function rest(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await postJson(`${h.url}${path}`, body);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json() as Promise<Record<string, unknown>>;
}

function cli(args: string[]): Record<string, unknown> {
  const r = facekit([...args, '--json'], process.env.FACEKIT_CACHE_DIR ? { FACEKIT_CACHE_DIR: process.env.FACEKIT_CACHE_DIR } : {});
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('identify: the same faces, matches and candidates from the library, the CLI and REST', async () => {
  const fromLibrary = JSON.parse(JSON.stringify(await identify(gallery, GROUP_PHOTO)));
  const fromCli = cli(['identify', GROUP_PHOTO, '--db', db]);
  const fromRest = await rest('/v1/identify', { image: dataUrl(groupPhoto(), 'image/jpeg') });

  for (const r of [fromLibrary, fromCli, fromRest]) {
    for (const k of ['faces', 'model', 'metric', 'threshold']) assert.ok(k in r, k);
  }
  const faces = fromLibrary.faces as (FaceRecord & { match: { name: string; distance: number; confidence: number } | null; candidates: { distance: number; confidence: number }[] })[];
  assert.equal(faces.length, 3);
  assert.deepEqual(Object.keys(faces[0]).sort(), ['box', 'candidates', 'detector', 'landmarks5', 'match', 'quality', 'score']);
  assert.equal(faces.filter((f) => f.match).length, 1);
  assert.equal(faces.find((f) => f.match)!.match!.name, 'Ada');
  for (const f of faces) {
    assertRounded(f, 'library');
    for (const c of f.candidates) assert.ok(isRoundedTo(c.distance, 4) && isRoundedTo(c.confidence, 4) && c.confidence >= 0 && c.confidence <= 1, JSON.stringify(c));
  }
  // the very same records, key order aside
  assert.deepEqual(fromCli.faces, faces);
  assert.deepEqual(fromRest.faces, faces);
  assert.equal(fromCli.threshold, fromLibrary.threshold);
  assert.equal(fromRest.threshold, fromLibrary.threshold);
});

test('detect and verify: the same face records and figures from the CLI and REST as from the library', async () => {
  const image = dataUrl(groupPhoto(), 'image/jpeg');
  const detected = (await rest('/v1/detect', { image })).faces as FaceRecord[];
  assert.deepEqual(cli(['detect', GROUP_PHOTO]).faces, detected);
  const identified = (await identify(gallery, GROUP_PHOTO)).faces.map(({ box, score, landmarks5, detector }) => ({ box, score, landmarks5, detector }));
  // quality has the same shape, but identify's is refined by the recognizer's output (embedFaces) and detect's is not
  assert.deepEqual((detected as (FaceRecord & { detector: string })[]).map(({ box, score, landmarks5, detector }) => ({ box, score, landmarks5, detector })), JSON.parse(JSON.stringify(identified)));

  const fromLibrary = JSON.parse(JSON.stringify(await verify(crops[0], crops[1])));
  const fromCli = cli(['verify', crops[0], crops[1]]);
  const fromRest = await rest('/v1/verify', { image1: dataUrl(await faceCrop(0), 'image/jpeg'), image2: dataUrl(await faceCrop(1), 'image/jpeg') });
  for (const r of [fromLibrary, fromCli, fromRest]) {
    assert.equal(r.verified, false);
    assert.ok(isRoundedTo(r.distance as number, 4) && isRoundedTo(r.threshold as number, 4) && isRoundedTo(r.confidence as number, 4));
    assert.ok((r.confidence as number) >= 0 && (r.confidence as number) <= 1);
    for (const f of r.faces as FaceRecord[]) assertRounded(f, 'verify');
  }
  for (const k of ['verified', 'distance', 'threshold', 'confidence', 'model', 'metric', 'faces'] as const) {
    assert.deepEqual(fromCli[k], fromLibrary[k], `CLI ${k}`);
    assert.deepEqual(fromRest[k], fromLibrary[k], `REST ${k}`);
  }
});

test('an enrolled face: the same box, to 0.1 px, from people show --json and GET /v1/people/:id', async () => {
  const shown = cli(['people', 'show', 'Ada', '--db', db]) as { id: string; faceList: { box: Record<string, number> }[] };
  const res = await fetch(`${h.url}/v1/people/${shown.id}`);
  assert.equal(res.status, 200);
  const person = await res.json() as { faces: { box: Record<string, number> }[] };
  assert.deepEqual(person.faces[0].box, shown.faceList[0].box);
  for (const v of Object.values(shown.faceList[0].box)) assert.ok(isRoundedTo(v, 1), `${v}`);
});
