/**
 * The hostile-input corpus's images (bench/hostile-corpus.ts) through loadImage with the server's
 * limits: each gives pixels (the well-formed ones) or a one-line BAD_IMAGE / IMAGE_TOO_LARGE, in
 * well under the 10 s budget and without the process's memory growing by 512 MB. bench/hostile.ts
 * runs the whole corpus through the CLI and the REST routes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostileCorpus, type HostileImage } from '../../bench/hostile-corpus.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { loadImage } from '../../src/image/index.ts';
import { DEFAULT_LIMITS } from '../../src/server/limits.ts';

const BUDGET_MS = 10_000;
const BUDGET_BYTES = 512 * 1024 * 1024;

test('every hostile image gives pixels or a clear error, within the time and memory budget', { timeout: 120_000 }, async (t) => {
  const images = (await hostileCorpus()).filter((c): c is HostileImage => c.kind === 'image');
  assert.ok(images.length >= 60, `${images.length} images`);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let slowest = { name: '', ms: 0 };
  let decoded = 0;
  for (const c of images) {
    const t0 = performance.now();
    try {
      await loadImage(c.bytes, { maxBytes: DEFAULT_LIMITS.imageBytes, maxPixels: DEFAULT_LIMITS.maxPixels });
      decoded++; // a tolerant decoder may read some damage: a result, not a failure, unless the case says how it must be refused
      assert.equal(c.refusedAs, undefined, `${c.name} was decoded but must be refused as ${c.refusedAs}`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.ok(e instanceof FacekitError, `${c.name}: not a FacekitError: ${String(e)}`);
      assert.ok(e.code === 'BAD_IMAGE' || e.code === 'IMAGE_TOO_LARGE', `${c.name}: ${e.code}`);
      if (c.refusedAs) assert.equal(e.code, c.refusedAs, `${c.name}: ${e.message}`);
      assert.ok(!e.message.includes('\n') && !/unknown error/i.test(e.message), `${c.name}: unclear message: ${e.message}`);
      assert.ok(!c.valid, `${c.name} is well-formed but was refused: ${e.message}`);
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { name: c.name, ms };
    assert.ok(ms < BUDGET_MS, `${c.name} took ${ms.toFixed(0)} ms`);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  assert.ok(images.filter((c) => c.refusedAs).length >= 2, 'the GIF screen and PNG end cases are in the corpus');
  t.diagnostic(`${images.length} images, ${decoded} decoded, the rest refused; slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms; rss grew by at most ${((peak - rssBefore) / 2 ** 20).toFixed(0)} MB`);
  assert.ok(peak - rssBefore < BUDGET_BYTES);
});
