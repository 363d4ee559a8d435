/**
 * Work whose caller went away: a long job is abandoned after the orphan grace and its worker
 * recycled, so the slot is free for the next request; a short one is left to finish (a recycle
 * would cost more than it saves). The replacement worker is warmed before the next request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { pngBomb } from '../../bench/hostile-corpus.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { SKIP_DETECTION } from '../../src/service/image-work.ts';
import { createService } from '../../src/service/index.ts';
import { WorkerPool } from '../../src/service/worker-pool.ts';
import { startHarness } from '../server/helpers.ts';
import { faceCrop } from './photos.ts';

const callerGone = (e: unknown) => e instanceof FacekitError && e.code === 'TIMEOUT' && e.details?.callerGone === true;

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<number> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - t0;
}

test('a long job whose caller went away is abandoned after the grace; its worker is recycled and warmed', { timeout: 120_000 }, async (t) => {
  const pool = new WorkerPool(1, { deadlineMs: 60_000, orphanGraceMs: 200 });
  t.after(() => pool.close());
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } }).png().toBuffer();
  const work = { detector: SKIP_DETECTION, maxPixels: 40_000_000 };
  assert.equal((await pool.run(small, work)).width, 64, 'warm-up (also the job a replacement warms with)');

  const caller = new AbortController();
  const t0 = performance.now();
  const bomb = pool.run(pngBomb(6000, 6000), work, caller.signal); // 36 megapixels: a second or more to decode
  setTimeout(() => caller.abort(), 50);
  // only the recycle path rejects this way: had the decode finished first, the promise would resolve
  await assert.rejects(bomb, callerGone);
  const freedAfter = performance.now() - t0;
  assert.equal(pool.recycled, 1);
  const warmedIn = await waitFor('the replacement warmed up', () => pool.warmed === 1, 30_000);
  assert.equal((await pool.run(small, work)).width, 64, 'the next job is answered by the new worker');
  t.diagnostic(`slot free ${freedAfter.toFixed(0)} ms after the job started (abort at 50 ms, grace 200 ms); replacement warm ${warmedIn.toFixed(0)} ms later`);
});

test('a short job whose caller went away finishes: no recycle', { timeout: 60_000 }, async (t) => {
  const pool = new WorkerPool(1, { deadlineMs: 60_000, orphanGraceMs: 10_000 });
  t.after(() => pool.close());
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } }).png().toBuffer();
  const work = { detector: SKIP_DETECTION };
  await pool.run(small, work);
  const caller = new AbortController();
  const job = pool.run(small, work, caller.signal);
  caller.abort();
  assert.equal((await job).width, 64);
  assert.equal(pool.recycled, 0);
  await assert.rejects(pool.run(small, work, caller.signal), callerGone, 'an already-gone caller posts nothing');
});

test('REST: a disconnected client\'s long detect frees the inference slot without finishing', { timeout: 180_000 }, async (t) => {
  const finished: string[] = [];
  const service = await createService({ db: ':memory:', deadlineMs: 120_000, orphanGraceMs: 300, onInference: (model) => finished.push(model) });
  const h = await startHarness({ service, limits: { concurrency: 1 } });
  t.after(() => h.close());
  const detect = (image: Buffer, signal?: AbortSignal) =>
    fetch(`${h.url}/v1/detect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image: image.toString('base64') }), signal });
  const normal = await faceCrop(1);
  assert.equal((await detect(normal)).status, 200, 'the worker loads its models');
  const before = finished.length;

  const client = new AbortController();
  const gone = detect(pngBomb(6000, 6000), client.signal).catch((e: unknown) => e);
  await waitFor('the bomb holds the slot', () => h.app.facekit.queue.running === 1, 10_000);
  client.abort();
  assert.ok((await gone) instanceof Error, 'the client saw its own abort');
  const freedIn = await waitFor('the slot is free', () => h.app.facekit.queue.running === 0, 60_000);
  // a detect that ran to its end reports its detector timing before its slot frees: none came
  assert.equal(finished.length, before, `the bomb's detection never finished: ${finished.slice(before).join(', ')}`);
  const t0 = performance.now();
  const res = await detect(normal);
  assert.equal(res.status, 200, await res.text());
  t.diagnostic(`slot free ${freedIn.toFixed(0)} ms after the disconnect (grace 300 ms); next detect ${(performance.now() - t0).toFixed(0)} ms`);
});
