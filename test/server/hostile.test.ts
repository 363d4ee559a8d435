/**
 * Hostile requests at the HTTP layer (with the fake service): the image byte limit holds however
 * an image arrives; a path a client names is refused, saying so, unless it is a file under the
 * image root by its real path; failed authentication is limited per address and cannot flood the
 * audit log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamService, StreamStartBody } from '../../src/server/routes/streams.ts';
import { createKey } from '../../src/server/keys/manage.ts';
import { MemoryKeyStore } from '../../src/server/keys/store.ts';
import { WindowCounter } from '../../src/server/window-counter.ts';
import { FakeFaceService } from './fake-service.ts';
import { bearer, dataUrl, png, postJson, startHarness, type Harness } from './helpers.ts';

const LIMIT = 128 * 1024;
let h: Harness;
let root: string;
let outside: string;
const started: StreamStartBody[] = [];

/** Records what it was asked to start; the routes' path checks are what is tested. */
const streams: StreamService = {
  async start(o) { started.push(o); return { id: 's1', source: o.source }; },
  get: () => null,
  list: () => [],
  subscribe: () => () => {},
  async stop() { return null; },
  async close() {},
};

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'facekit-root-'));
  outside = mkdtempSync(join(tmpdir(), 'facekit-outside-'));
  const red = await png([200, 20, 20], 80);
  writeFileSync(join(outside, 'secret.png'), red);
  writeFileSync(join(outside, 'clip.mp4'), 'not really a video');
  writeFileSync(join(root, 'red.png'), red);
  writeFileSync(join(root, 'clip.mp4'), 'not really a video');
  mkdirSync(join(root, 'sub'));
  symlinkSync(join(outside, 'secret.png'), join(root, 'link.png'));
  symlinkSync(join(outside, 'clip.mp4'), join(root, 'link.mp4'));
  const service = Object.assign(new FakeFaceService(), { streams });
  h = await startHarness({ service, imageRoot: root, limits: { imageBytes: LIMIT, bodyBytes: 4 * LIMIT } });
});
after(async () => {
  await h.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

// /v1 routes answer {error: {code, message}}; the deepface routes answer deepface's {error: message}
const message = async (res: Response): Promise<string> => {
  const { error } = (await res.json()) as { error: string | { message: string } };
  return typeof error === 'string' ? error : error.message;
};

test('base64 and data URL images over the per-image byte limit are 413, as multipart files are', async () => {
  const big = Buffer.alloc(LIMIT + 1000, 7);
  for (const image of [big.toString('base64'), dataUrl(big)]) {
    const res = await postJson(`${h.url}/v1/detect`, { image });
    assert.equal(res.status, 413);
    assert.match(await message(res), new RegExp(`limit is ${LIMIT}`));
  }
  const deepface = await postJson(`${h.url}/represent`, { img: dataUrl(big) });
  assert.equal(deepface.status, 413);
  const fits = await postJson(`${h.url}/v1/detect`, { image: dataUrl(await png([1, 2, 3], 64)) });
  assert.equal(fits.status, 200);
});

test('image paths: a directory, a file outside the root, a symlink out of it, a missing file are refused, saying why', async () => {
  const cases: [string, RegExp][] = [
    ['sub', /refused as an image path: it is a directory/],
    ['/etc/passwd', /refused as an image path: it is outside the image root/],
    [join(outside, 'secret.png'), /outside the image root/],
    ['../' + join('..', outside, 'secret.png'), /outside the image root/],
    ['link.png', /leads outside the image root \(through a symbolic link\)/],
    ['nope.png', /no such file under the image root/],
  ];
  for (const [img_path, re] of cases) {
    const res = await postJson(`${h.url}/represent`, { img_path });
    assert.equal(res.status, 400, img_path);
    assert.match(await message(res), re, img_path);
  }
  assert.equal((await postJson(`${h.url}/represent`, { img_path: 'red.png' })).status, 200);
});

test('/v1/streams checks a file source by its real path: a symlink out of the root is refused', async () => {
  const link = await postJson(`${h.url}/v1/streams`, { source: 'link.mp4' });
  assert.equal(link.status, 400);
  assert.match(await message(link), /source link\.mp4 was refused: it leads outside the image root/);
  const dir = await postJson(`${h.url}/v1/streams`, { source: 'sub' });
  assert.match(await message(dir), /directory/);
  const ok = await postJson(`${h.url}/v1/streams`, { source: 'clip.mp4' });
  assert.equal(ok.status, 201);
  assert.equal(started.at(-1)?.source, join(root, 'clip.mp4'));
});

test('failed authentications from one address are limited (429 with Retry-After) and logged once per window', async () => {
  const keyStore = new MemoryKeyStore();
  const { token } = await createKey(keyStore, { scopes: ['read', 'write'] });
  const keyed = await startHarness({ limits: { authFailuresMax: 3 } }, keyStore);
  try {
    const attempt = (headers: Record<string, string>) => postJson(`${keyed.url}/v1/people`, { name: 'x' }, headers);
    for (const headers of [{}, bearer('fk_0123456789abcdef_' + 'A'.repeat(43)), bearer('nonsense')]) assert.equal((await attempt(headers)).status, 401);
    for (let i = 0; i < 3; i++) {
      const limited = await attempt(bearer('nonsense'));
      assert.equal(limited.status, 429);
      assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
      assert.match(await message(limited), /too many failed authentications from this address/);
    }
    // the address is limited, valid key or not, until the window ends
    assert.equal((await attempt(bearer(token))).status, 429);
    assert.equal((await fetch(`${keyed.url}/health`)).status, 200, 'public routes stay open');
    const lines = readFileSync(join(keyed.dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, '7 refused anonymous writes, one audit line');
    assert.equal(JSON.parse(lines[0]).status, 401);
  } finally {
    await keyed.close();
  }
});

test('WindowCounter: counts per key per window, reports the ended window, stays bounded', () => {
  const c = new WindowCounter(1000, 2);
  assert.deepEqual(c.hit('a', 0), { count: 1, previous: 0 });
  assert.deepEqual(c.hit('a', 500), { count: 2, previous: 0 });
  assert.equal(c.msLeft('a', 500), 500);
  assert.deepEqual(c.hit('a', 1200), { count: 1, previous: 2 });
  c.hit('b', 1300);
  c.hit('c', 1400); // a third key: the oldest window ('a') is forgotten
  assert.equal(c.count('a', 1500), 0);
  assert.equal(c.count('c', 1500), 1);
});

test('a client that goes away while its request waits in the queue leaves it: its work never runs', async () => {
  const q = await startHarness({ limits: { concurrency: 1, maxQueued: 4 } });
  try {
    const img = dataUrl(await png([5, 5, 5]));
    let open!: () => void;
    q.service.gate = new Promise<void>((r) => { open = r; });
    const first = postJson(`${q.url}/v1/detect`, { image: img });
    const waitFor = async (cond: () => boolean) => {
      for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(cond());
    };
    await waitFor(() => q.app.facekit.queue.running === 1);
    const gone = new AbortController();
    const second = fetch(`${q.url}/v1/detect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: img }), signal: gone.signal }).catch((e: Error) => e.name);
    await waitFor(() => q.app.facekit.queue.queued === 1);
    gone.abort();
    assert.equal(await second, 'AbortError');
    await waitFor(() => q.app.facekit.queue.queued === 0);
    assert.equal(q.app.facekit.queue.abandoned, 1);
    q.service.gate = null;
    open();
    assert.equal((await first).status, 200);
    assert.equal(q.service.calls.filter((c) => c.startsWith('decode')).length, 1, 'only the first request reached the service');
    assert.equal((await postJson(`${q.url}/v1/detect`, { image: img })).status, 200, 'and the queue serves the next client');
  } finally {
    await q.close();
  }
});
