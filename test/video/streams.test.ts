/**
 * /v1/streams on a real server (the test double for single-image inference, a real stream watcher
 * in worker threads): start a stream from a file under the image root, follow its server-sent
 * events to the end, stop a realtime stream early.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enroll, openGallery } from '../../src/identify/index.ts';
import { hasFfmpeg, StreamManager } from '../../src/video/index.ts';
import { postJson, startHarness, type Harness } from '../server/helpers.ts';
import { FakeFaceService } from '../server/fake-service.ts';
import { enrollmentPhoto, faceSprite, makeSlideshow } from './slideshow.ts';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not found (Debian: apt-get install ffmpeg, or set FACEKIT_FFMPEG)';
const dir = mkdtempSync(join(tmpdir(), 'facekit-streams-'));
let h: Harness;

before(async () => {
  if (skip) return;
  const [ann, , stranger] = await Promise.all([0, 1, 2].map(faceSprite));
  await makeSlideshow(join(dir, 'clip.mp4'), 3.5, [
    { sprite: ann, from: 0, to: 1.5, x: 20, y: 40 },
    { sprite: stranger, from: 1.8, to: 3.3, x: 400, y: 60 },
  ]);
  const db = join(dir, 'g.db');
  const g = await openGallery(db);
  await enroll(g, 'Ann', [await enrollmentPhoto(dir, 0)]);
  await g.close();
  const service = Object.assign(new FakeFaceService(), { streams: new StreamManager({ db }) });
  h = await startHarness({ service, imageRoot: dir });
});

after(async () => {
  await h?.close();
});

interface Sse { id: number; event: string; data: Record<string, unknown> }

/** reads server-sent events until `stop` says so or the server ends the response */
async function readEvents(url: string, stop: (e: Sse) => boolean = () => false, headers: Record<string, string> = {}): Promise<Sse[]> {
  const res = await fetch(url, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const out: Sse[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  const reader = res.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const f = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      if (!f.event) continue;
      const e = { id: Number(f.id), event: f.event, data: JSON.parse(f.data) };
      out.push(e);
      if (stop(e)) {
        await reader.cancel();
        return out;
      }
    }
  }
}

test('POST /v1/streams watches a file; its events arrive as server-sent events, ending with the attendance', { skip }, async () => {
  const r = await postJson(`${h.url}/v1/streams`, { source: 'clip.mp4', detectEvery: 3 });
  assert.equal(r.status, 201, await r.clone().text());
  const s = (await r.json()) as { id: string; info: { width: number; height: number } };
  assert.deepEqual([s.info.width, s.info.height], [640, 360]);
  const events = await readEvents(`${h.url}/v1/streams/${s.id}/events`);
  const kinds = events.map((e) => e.event);
  assert.equal(kinds.at(-1), 'end');
  const named = events.filter((e) => e.event === 'identified' || e.event === 'stranger').map((e) => e.data.name ?? e.data.strangerId);
  assert.deepEqual(named, ['Ann', 'stranger-1']);
  assert.equal(kinds.filter((k) => k === 'track_ended').length, 2);
  const end = events.at(-1)!.data as { state: string; attendance: { person: string; firstSeen: number }[] };
  assert.equal(end.state, 'ended');
  assert.deepEqual(end.attendance.map((a) => a.person), ['Ann', 'stranger-1']);
  // ids increase, and a client resuming after an id gets only what followed it
  assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1].id));
  const resumed = await readEvents(`${h.url}/v1/streams/${s.id}/events`, undefined, { 'last-event-id': String(events.at(-3)!.id) });
  assert.deepEqual(resumed.map((e) => e.id), events.slice(-2).map((e) => e.id));
});

test('DELETE /v1/streams/:id stops a realtime stream at once and returns its final state', { skip }, async () => {
  const r = await postJson(`${h.url}/v1/streams`, { source: 'clip.mp4', realtime: true });
  assert.equal(r.status, 201);
  const { id } = (await r.json()) as { id: string };
  const seen = await readEvents(`${h.url}/v1/streams/${id}/events`, (e) => e.event === 'track_started');
  assert.equal(seen.at(-1)!.event, 'track_started');
  const t = performance.now();
  const del = await fetch(`${h.url}/v1/streams/${id}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  const final = (await del.json()) as { state: string; figures: { frames: number } };
  assert.equal(final.state, 'stopped');
  assert.ok(final.figures.frames < 80, `stopped after ${final.figures.frames} frames of 87`);
  assert.ok(performance.now() - t < 5000);
  assert.equal((await fetch(`${h.url}/v1/streams/${id}`)).status, 404);
});

test('bad stream requests: a file outside the image root, a source that cannot be opened', { skip }, async () => {
  const outside = await postJson(`${h.url}/v1/streams`, { source: '../../etc/passwd' });
  assert.equal(outside.status, 400);
  assert.match(((await outside.json()) as { error: { message: string } }).error.message, /outside the image root/);
  const missing = await postJson(`${h.url}/v1/streams`, { source: 'nope.mp4' });
  assert.equal(missing.status, 400);
  assert.match(((await missing.json()) as { error: { message: string } }).error.message, /no such file under the image root/);
  assert.equal((await fetch(`${h.url}/v1/streams/s999/events`)).status, 404);
});
