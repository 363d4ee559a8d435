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
import { WorkerPool } from '../../src/service/worker-pool.ts';

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
