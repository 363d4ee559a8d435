/**
 * Video sources: exact frames from a file, the rate cap and scaling, and failure without hanging:
 * unopenable sources, a stream that drops (reconnect with back-off, then an error) and a stream
 * that goes silent (the stall watchdog).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FacekitError } from '../../src/errors/index.ts';
import { ffmpegPath, hasFfmpeg, openVideoSource, parseSource, type SourceStatus } from '../../src/video/index.ts';

const skip = hasFfmpeg() ? false : 'ffmpeg/ffprobe not found (Debian: apt-get install ffmpeg, or set FACEKIT_FFMPEG)';
const dir = mkdtempSync(join(tmpdir(), 'facekit-source-'));
const clip = join(dir, 'bars.ts');
let stream: Buffer;
let server: Server;
let base = '';
/** what the HTTP server does with request number n (0-based) */
let behaviour: (n: number) => 'full' | 'cut' | 'silent' | 'missing' = () => 'full';
let requests = 0;

before(async () => {
  if (skip) return;
  // 4 s of 25 fps test pattern, MPEG-TS so that a cut stream still decodes up to the cut
  const r = spawnSync(ffmpegPath(), ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mpegts', clip]);
  assert.equal(r.status, 0, String(r.stderr));
  stream = readFileSync(clip);
  server = createServer((req, res) => {
    const what = behaviour(requests++);
    if (what === 'missing') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': stream.length });
    if (what === 'full') res.end(stream);
    else if (what === 'cut') res.write(stream.subarray(0, Math.floor(stream.length / 2)), () => setTimeout(() => res.destroy(), 50));
    else res.write(stream.subarray(0, Math.floor(stream.length / 2)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server?.closeAllConnections();
  server?.close();
});

async function drain(url: string, opts: Parameters<typeof openVideoSource>[1]): Promise<{ frames: number; error: unknown }> {
  const src = await openVideoSource(url, opts);
  let frames = 0;
  try {
    for await (const f of src) {
      assert.equal(f.image.data.length, f.image.width * f.image.height * 3);
      frames++;
    }
    return { frames, error: null };
  } catch (e) {
    return { frames, error: e };
  }
}

test('sources are told apart: files, streams, cameras; other schemes are refused', () => {
  assert.deepEqual(parseSource('camera'), { kind: 'device', url: '/dev/video0', live: true });
  assert.deepEqual(parseSource('camera:2'), { kind: 'device', url: '/dev/video2', live: true });
  assert.equal(parseSource('rtsp://cam.local/stream').kind, 'rtsp');
  assert.equal(parseSource('https://example.org/live.m3u8').kind, 'http');
  assert.deepEqual(parseSource('clip.mp4'), { kind: 'file', url: 'clip.mp4', live: false });
  assert.throws(() => parseSource('ftp://x/y.mp4'), /unsupported video source scheme/);
});

test('a file gives every frame, sized width x height x 3, with stream times from its frame rate', { skip }, async () => {
  const src = await openVideoSource(clip);
  assert.deepEqual([src.info.width, src.info.height, src.info.fps], [160, 120, 25]);
  const times: number[] = [];
  for await (const f of src) times.push(f.timeMs);
  assert.equal(times.length, 100);
  assert.equal(times[99], 99 * 40);
});

test('the rate cap and scaling are applied by ffmpeg', { skip }, async () => {
  const src = await openVideoSource(clip, { fps: 10, width: 320, height: 240 });
  let n = 0;
  for await (const f of src) {
    assert.deepEqual([f.image.width, f.image.height], [320, 240]);
    n++;
  }
  assert.ok(Math.abs(n - 40) <= 1, `${n} frames at 10 fps from 4 s`);
});

test('sources that cannot be opened fail at once with a clear message', { skip }, async () => {
  const notVideo = join(dir, 'notes.mp4');
  writeFileSync(notVideo, 'not a video');
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.mp4'), /video file not found/],
    [notVideo, /cannot be opened: .*Invalid data/],
    ['camera:9', /\/dev\/video9 cannot be opened/],
    ['http://127.0.0.1:9/none.ts', /cannot be opened/],
  ];
  for (const [source, re] of cases) {
    await assert.rejects(openVideoSource(source, { openTimeoutMs: 30_000 }), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND' && re.test(e.message), source);
  }
});

test('a stream that drops mid-way is reopened with growing back-off, then reported lost', { skip }, async () => {
  requests = 0;
  // probe gets the stream, the reader gets half of it, every reopen finds nothing
  behaviour = (n) => (n === 0 ? 'full' : n === 1 ? 'cut' : 'missing');
  const statuses: SourceStatus[] = [];
  const t0 = performance.now();
  const { frames, error } = await drain(`${base}/live.ts`, { reconnect: { retries: 2, backoffMs: 100 }, onStatus: (s) => statuses.push(s) });
  assert.ok(frames > 0 && frames < 100, `${frames} frames before the drop`);
  assert.ok(error instanceof FacekitError && /was lost after 2 reconnect attempts/.test(error.message), String(error));
  assert.deepEqual(statuses.map((s) => (s.type === 'reconnecting' ? s.delayMs : -1)), [100, 200]);
  assert.ok(performance.now() - t0 < 30_000);
});

test('a stream that goes silent is cut by the stall watchdog instead of hanging', { skip }, async () => {
  requests = 0;
  behaviour = (n) => (n === 0 ? 'full' : 'silent');
  const t0 = performance.now();
  // (ffmpeg may still be probing the half stream when it goes silent, so frames can be 0)
  const { error } = await drain(`${base}/silent.ts`, { stallMs: 1000, reconnect: { retries: 0 } });
  assert.ok(error instanceof FacekitError && /no data for 1000 ms/.test(error.message), String(error));
  assert.ok(performance.now() - t0 < 10_000);
});
