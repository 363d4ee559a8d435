/**
 * Strangers and sightings end to end on a slideshow the test makes (test/video/slideshow.ts): two
 * unenrolled faces, A (face 0: 0-2 s, again 5-7 s) and B (face 2: 2.5-4.5 s), and Bob (face 1,
 * enrolled) at 1-3 s. Two watches over the same clip give A and B the same stranger ids; naming
 * A's stranger makes its earlier sightings carry the name and the next watch recognise A; a photo
 * of B finds B's sightings.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enroll, openGallery } from '../../src/identify/index.ts';
import { hasFfmpeg } from '../../src/video/index.ts';
import { facekit } from '../cli/helpers.ts';
import { enrollmentPhoto, faceSprite, makeSlideshow } from '../video/slideshow.ts';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not found (Debian: apt-get install ffmpeg, or set FACEKIT_FFMPEG)';
const dir = mkdtempSync(join(tmpdir(), 'facekit-strangers-'));
const video = join(dir, 'visits.mp4');
const db = join(dir, 'g.db');

before(async () => {
  if (skip) return;
  const [a, bob, b] = await Promise.all([0, 1, 2].map(faceSprite));
  await makeSlideshow(video, 7.5, [
    { sprite: a, from: 0, to: 2, x: 20, y: 40 },
    { sprite: bob, from: 1, to: 3, x: 420, y: 40 },
    { sprite: b, from: 2.5, to: 4.5, x: 220, y: 60 },
    { sprite: a, from: 5, to: 7, x: 220, y: 40 },
  ]);
  const g = await openGallery(db);
  await enroll(g, 'Bob', [await enrollmentPhoto(dir, 1)]);
  await g.close();
});

type Ended = { type: string; trackId: number; firstSeen: number; identity: string | null; name: string | null };

function watch(run: string): Ended[] {
  const events = join(dir, `${run}.jsonl`);
  const r = facekit(['watch', video, '--db', db, '--events', events, '--quiet', '--no-spoof', '--source-name', 'door']);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ended).filter((e) => e.type === 'track_ended').sort((x, y) => x.firstSeen - y.firstSeen);
}

const json = <T>(args: string[]): T => {
  const r = facekit(args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

test('strangers keep their ids across runs; naming one names its past sightings; a photo finds its sightings', { skip }, () => {
  const first = watch('run1');
  assert.deepEqual(first.map((e) => e.name), ['stranger-1', 'Bob', 'stranger-2', 'stranger-1'], 'A twice as one stranger, B another');
  const second = watch('run2');
  assert.deepEqual(second.map((e) => e.name), first.map((e) => e.name), 'the second run gives the same ids');
  const { strangers } = json<{ strangers: { id: string; sightings: number }[] }>(['strangers', 'list', '--db', db, '--json']);
  assert.deepEqual(strangers.map((s) => [s.id, s.sightings]), [['stranger-1', 4], ['stranger-2', 2]]);

  const named = json<{ person: { name: string }; sightings: number }>(['strangers', 'name', 'stranger-1', 'Ann', '--db', db, '--json']);
  assert.equal(named.sightings, 4);
  const { sightings } = json<{ sightings: { name: string; strangerId: string; source: string; startTime: number }[] }>(['sightings', '--person', 'Ann', '--db', db, '--json']);
  assert.equal(sightings.length, 4);
  for (const s of sightings) {
    assert.equal(s.name, 'Ann');
    assert.equal(s.strangerId, 'stranger-1');
    assert.equal(s.source, 'door');
  }
  // both visits of A in both runs (the detector runs on every 3rd frame, and a track is confirmed on its 2nd match)
  const starts = sightings.map((s) => s.startTime).sort((x, y) => x - y);
  [0, 0, 5, 5].forEach((t, i) => assert.ok(starts[i] >= t && starts[i] - t < 0.8, `sighting ${i} starts at ${starts[i]}, expected about ${t}`));
  // the named stranger is a person now: the next watch recognises A
  const third = watch('run3');
  assert.deepEqual(third.map((e) => e.name), ['Ann', 'Bob', 'stranger-2', 'Ann']);
});

test('search-footage: a photo of B finds B\'s sightings, nearest first, with thumbnails', { skip }, async () => {
  const photo = await enrollmentPhoto(dir, 2);
  const r = json<{ hits: { distance: number; thumbnail: string; sighting: { strangerId: string; personId: string | null } }[] }>(['search-footage', photo, '--db', db, '--json']);
  assert.ok(r.hits.length >= 2, `hits: ${r.hits.length}`);
  for (const h of r.hits) {
    assert.equal(h.sighting.strangerId, 'stranger-2');
    assert.match(h.thumbnail, /^data:image\/jpeg;base64,/);
  }
  for (let i = 1; i < r.hits.length; i++) assert.ok(r.hits[i].distance >= r.hits[i - 1].distance);
});

test('cannot-link in watch: the same enrolled face twice on screen is one person once, never two tracks of that person at the same time', { skip }, async () => {
  const twice = join(dir, 'twice.mp4');
  const a = await faceSprite(0);
  await makeSlideshow(twice, 3, [
    { sprite: a, from: 0, to: 3, x: 20, y: 40 },
    { sprite: a, from: 0.5, to: 3, x: 400, y: 40 },
  ]);
  const gdb = join(dir, 'twice.db');
  const g = await openGallery(gdb);
  await enroll(g, 'Ann', [await enrollmentPhoto(dir, 0)]);
  await g.close();
  const r = facekit(['watch', twice, '--db', gdb, '--quiet', '--no-spoof', '--no-record']);
  assert.equal(r.code, 0, r.stderr);
  const evs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Ended & { name?: string });
  const tracks = evs.filter((e) => e.type === 'track_ended');
  assert.equal(tracks.length, 2, 'two faces, two tracks');
  assert.deepEqual(evs.filter((e) => e.type === 'identified').map((e) => e.name), ['Ann'], 'only one of them is Ann');
});
