/**
 * facekit watch end to end on a slideshow the test makes: Ann (0-2 s, left), Bob (1-3 s, right),
 * an unenrolled face (3.5-5.5 s, centre), Ann again (6-7.6 s, left) with a 0.32 s blank in the
 * middle. Ann and Bob are enrolled from different (mirrored, re-lit) cuts of the same photo.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enroll, openGallery } from '../../src/identify/index.ts';
import { hasFfmpeg } from '../../src/video/index.ts';
import { facekit } from '../cli/helpers.ts';
import { enrollmentPhoto, faceSprite, makeSlideshow, FPS } from './slideshow.ts';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not found (Debian: apt-get install ffmpeg, or set FACEKIT_FFMPEG)';
const dir = mkdtempSync(join(tmpdir(), 'facekit-watch-'));
const video = join(dir, 'show.mp4');
const db = join(dir, 'g.db');

// seconds; the detector runs every 3rd frame (0.12 s at 25 fps), so seen times land up to that late / early
const SLACK = 3 / FPS + 0.01;

before(async () => {
  if (skip) return;
  const [ann, bob, stranger] = await Promise.all([0, 1, 2].map(faceSprite));
  await makeSlideshow(video, 8, [
    { sprite: ann, from: 0, to: 2, x: 20, y: 40, drift: 10 },
    { sprite: bob, from: 1, to: 3, x: 420, y: 40 },
    { sprite: stranger, from: 3.5, to: 5.5, x: 220, y: 60 },
    { sprite: ann, from: 6, to: 6.6, x: 20, y: 40 },
    { sprite: ann, from: 6.92, to: 7.6, x: 20, y: 40 },
  ]);
  const g = await openGallery(db);
  await enroll(g, 'Ann', [await enrollmentPhoto(dir, 0)]);
  await enroll(g, 'Bob', [await enrollmentPhoto(dir, 1)]);
  await g.close();
});

type Ev = Record<string, unknown> & { type: string; time: number; trackId: number };

function near(actual: number, expected: number, what: string, slack = SLACK): void {
  assert.ok(Math.abs(actual - expected) <= slack, `${what}: ${actual}, expected ${expected} +- ${slack.toFixed(2)}`);
}

test('watch: events and attendance name the right people at the right times; a track survives a short blank', { skip }, () => {
  const events = join(dir, 'events.jsonl');
  const csv = join(dir, 'attendance.csv');
  const r = facekit(['watch', video, '--db', db, '--events', events, '--attendance', csv, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /200 frames .* 2 people and 1 strangers seen/);
  const evs = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);

  const ended = evs.filter((e) => e.type === 'track_ended') as (Ev & { firstSeen: number; lastSeen: number; name: string | null; frames: number })[];
  // four appearances, four tracks: Ann's second appearance is one track despite the blank
  assert.deepEqual(ended.map((e) => e.name).sort(), ['Ann', 'Ann', 'Bob', 'stranger-1']);
  const byStart = [...ended].sort((a, b) => a.firstSeen - b.firstSeen);
  const expected: [string, number, number][] = [['Ann', 0, 2], ['Bob', 1, 3], ['stranger-1', 3.5, 5.5], ['Ann', 6, 7.6]];
  byStart.forEach((e, i) => {
    const [name, from, to] = expected[i];
    assert.equal(e.name, name, `track ${i}`);
    near(e.firstSeen, from, `${name} first seen`);
    near(e.lastSeen, to - 1 / FPS, `${name} last seen`);
  });
  const gapTrack = byStart[3];
  assert.equal(evs.filter((e) => e.type === 'track_started' && e.time > 6.5).length, 0, 'no new track after the blank');
  // frames seen leave out the blank (8 frames)
  near(gapTrack.frames, 40 - 8, 'frames seen by the track with the blank', 4);

  // each track is decided once, soon after it starts
  const decided = evs.filter((e) => e.type === 'identified' || e.type === 'stranger');
  assert.equal(decided.length, 4);
  for (const e of decided) {
    const start = ended.find((t) => t.trackId === e.trackId)!;
    assert.ok(e.time - start.firstSeen <= 0.5, `track ${e.trackId} decided at ${e.time}, started ${start.firstSeen}`);
  }
  const strangerEv = decided.find((e) => e.type === 'stranger')!;
  assert.equal(strangerEv.strangerId, 'stranger-1');
  assert.match(String(strangerEv.thumbnail), /^data:image\/jpeg;base64,\/9j\//);
  for (const e of decided.filter((e) => e.type === 'identified')) assert.ok((e.confidence as number) > 0.5, `confidence ${e.confidence}`);

  const rows = readFileSync(csv, 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows[0], ['person', 'person_id', 'kind', 'first_seen', 'last_seen', 'frames_seen', 'first_seen_at', 'last_seen_at']);
  const att = Object.fromEntries(rows.slice(1).map((c) => [c[0], { kind: c[2], first: Number(c[3]), last: Number(c[4]), frames: Number(c[5]) }]));
  assert.deepEqual(Object.keys(att).sort(), ['Ann', 'Bob', 'stranger-1']);
  near(att.Ann.first, 0, 'Ann first');
  near(att.Ann.last, 7.6 - 1 / FPS, 'Ann last');
  near(att.Ann.frames, 50 + 32, 'Ann frames', 6);
  near(att.Bob.first, 1, 'Bob first');
  near(att.Bob.last, 3 - 1 / FPS, 'Bob last');
  near(att.Bob.frames, 50, 'Bob frames', 6);
  assert.equal(att['stranger-1'].kind, 'stranger');
});

test('watch: without a gallery every decided face is a stranger, and the same face keeps its stranger id', { skip }, () => {
  const r = facekit(['watch', video, '--quiet', '--detect-every', '4', '--no-spoof']);
  assert.equal(r.code, 0, r.stderr);
  const evs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Ev);
  assert.equal(evs.filter((e) => e.type === 'identified').length, 0);
  const ids = evs.filter((e) => e.type === 'stranger').sort((a, b) => a.time - b.time).map((e) => e.strangerId);
  // Ann, Bob, the third face, Ann again: Ann's return matches her first track
  assert.deepEqual(ids, ['stranger-1', 'stranger-2', 'stranger-3', 'stranger-1']);
});

test('watch: a source that cannot be opened is one plain error line and exit code 2', { skip }, () => {
  const r = facekit(['watch', join(dir, 'missing.mp4'), '--quiet']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^facekit: video file not found: .*missing\.mp4 \[NOT_FOUND\]\n$/);
});
