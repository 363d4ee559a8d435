import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKey } from '../../src/server/keys/manage.ts';
import { MemoryKeyStore } from '../../src/server/keys/store.ts';
import { HttpError } from '../../src/server/http-error.ts';
import { WorkQueue } from '../../src/server/queue.ts';
import { bearer, dataUrl, png, postJson, startHarness } from './helpers.ts';

test('a burst up to the queue\'s capacity all runs, in arrival order; beyond it 503 with Retry-After', async () => {
  const q = new WorkQueue({ concurrency: 2, maxQueued: 6 });
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const started: number[] = [];
  const job = (i: number) => async () => {
    started.push(i);
    await gate;
    return i;
  };
  const accepted = Array.from({ length: 8 }, (_, i) => q.run(job(i)));
  const refused = await Promise.allSettled(Array.from({ length: 3 }, (_, i) => q.run(job(100 + i))));
  for (const r of refused) {
    assert.equal(r.status, 'rejected');
    const e = (r as PromiseRejectedResult).reason;
    assert.ok(e instanceof HttpError && e.statusCode === 503 && /^\d+$/.test(e.headers['retry-after'] ?? ''), String(e));
  }
  assert.deepEqual(started, [0, 1], 'two run, six wait');
  open();
  assert.deepEqual(await Promise.all(accepted), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7], 'waiting jobs start in the order they came');
  assert.equal(q.rejected, 3);
});

test('protected mode on loopback is not rate-limited: a local benchmark is never refused with 429', async () => {
  const h = await startHarness({ limits: { rateMax: 3, rateWindowMs: 60_000 } });
  try {
    assert.equal(h.app.facekit.authOff, true);
    const img = dataUrl(await png([9, 9, 9]));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await postJson(`${h.url}/v1/detect`, { image: img })).status);
    assert.deepEqual(statuses, Array(8).fill(200));
  } finally {
    await h.close();
  }
});

test('with API keys the same budget refuses the fourth request with 429 and Retry-After', async () => {
  const keyStore = new MemoryKeyStore();
  const key = await createKey(keyStore, { scopes: ['read', 'write'] });
  const h = await startHarness({ limits: { rateMax: 3, rateWindowMs: 60_000 } }, keyStore);
  try {
    const img = dataUrl(await png([9, 9, 9]));
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await postJson(`${h.url}/v1/detect`, { image: img }, bearer(key.token));
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.match(last!.headers.get('retry-after') ?? '', /^\d+$/);
  } finally {
    await h.close();
  }
});
