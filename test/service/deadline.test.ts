/**
 * Work that outruns its deadline fails with TIMEOUT and frees its worker at once: the worker is
 * replaced, the jobs it held still answer, and the next request is served normally.
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

test('a job past its deadline is TIMEOUT, its worker replaced; queued and later jobs are answered', { timeout: 60_000 }, async (t) => {
  const pool = new WorkerPool(1, { deadlineMs: 250 });
  t.after(() => pool.close());
  const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } }).png().toBuffer();
  const work = { detector: SKIP_DETECTION, maxPixels: 40_000_000 };
  assert.equal((await pool.run(small, work)).width, 64, 'warm-up: a first job has no deadline');

  const t0 = performance.now();
  const slow = pool.run(pngBomb(6000, 6000), work); // 36 megapixels: a second or so to decode
  const queued = pool.run(small, work);
  await assert.rejects(slow, (e: unknown) => e instanceof FacekitError && e.code === 'TIMEOUT' && /longer than 0.25 s/.test(e.message));
  const abandonedAfter = performance.now() - t0;
  assert.ok(abandonedAfter < 1000, `abandoned after ${abandonedAfter.toFixed(0)} ms`);
  assert.equal((await queued).width, 64, 'the job queued behind it is answered');
  assert.equal((await pool.run(small, work)).width, 64, 'and the next one, by the new worker');
  t.diagnostic(`abandoned after ${abandonedAfter.toFixed(0)} ms`);
});

test('two hostile uploads in flight: a normal detect still answers within its usual time plus one deadline', { timeout: 120_000 }, async (t) => {
  // long enough that the normal request itself never outruns it on a loaded 2-core machine (a
  // normal detect took 300-500 ms there), short against the seconds a 36-megapixel decode can take
  const deadlineMs = 1500;
  const service = await createService({ db: ':memory:', deadlineMs });
  const h = await startHarness({ service });
  t.after(() => h.close());
  const normal = JSON.stringify({ image: (await faceCrop(1)).toString('base64') });
  const detect = async (body: string) => {
    const t0 = performance.now();
    const res = await fetch(`${h.url}/v1/detect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, ms: performance.now() - t0, body: await res.text() };
  };
  await detect(normal); // the worker loads its models
  const usual = (await detect(normal)).ms;

  const bomb = JSON.stringify({ image: pngBomb(6000, 6000).toString('base64') });
  const hostile = [detect(bomb), detect(bomb)];
  await new Promise((r) => setTimeout(r, 50));
  const during = await detect(normal);
  const outcomes = await Promise.all(hostile);
  t.diagnostic(`usual ${usual.toFixed(0)} ms; with two 36-megapixel uploads in flight ${during.ms.toFixed(0)} ms; the uploads: ${outcomes.map((o) => `${o.status} in ${o.ms.toFixed(0)} ms`).join(', ')}`);
  assert.equal(during.status, 200, during.body);
  for (const o of outcomes) assert.ok(o.status === 200 || (o.status === 503 && /TIMEOUT/.test(o.body)), o.body);
  // a replaced worker reloads its models (cached, compiled): allow that on top of one deadline
  assert.ok(during.ms < usual + deadlineMs + 5000, `${during.ms.toFixed(0)} ms`);
});
