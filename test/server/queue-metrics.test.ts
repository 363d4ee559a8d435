import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { WorkQueue } from '../../src/server/queue.ts';
import { HttpError } from '../../src/server/http-error.ts';
import { Counter, Histogram, renderAll } from '../../src/server/prometheus.ts';
import { isLoopback } from '../../src/server/plugins/auth.ts';
import { buildServer } from '../../src/server/index.ts';
import { MemoryKeyStore } from '../../src/server/keys/store.ts';
import { FakeFaceService } from './fake-service.ts';
import { png, dataUrl, postJson } from './helpers.ts';

test('WorkQueue runs at most `concurrency` jobs, queues up to `maxQueued`, refuses the rest', async () => {
  const q = new WorkQueue({ concurrency: 2, maxQueued: 1 });
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const job = () => new Promise<number>((resolve) => {
    running++;
    peak = Math.max(peak, running);
    releases.push(() => { running--; resolve(running); });
  });
  const a = q.run(job);
  const b = q.run(job);
  const c = q.run(job);
  await new Promise((r) => setImmediate(r));
  assert.equal(q.running, 2);
  assert.equal(q.queued, 1);
  await assert.rejects(q.run(job), (e: unknown) => e instanceof HttpError && e.statusCode === 503 && Number(e.headers['retry-after']) >= 1);
  assert.equal(q.rejected, 1);
  assert.equal(releases.length, 2, 'the third job waits');
  releases.shift()?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(releases.length, 2, 'the freed slot went to the waiting job');
  assert.equal(q.queued, 0);
  releases.splice(0).forEach((r) => r());
  await Promise.all([a, b, c]);
  assert.equal(peak, 2);
  assert.equal(q.running, 0);
  await q.idle();
  // a failing job frees its slot too
  await assert.rejects(q.run(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(q.running, 0);
});

test('Prometheus text: label values are escaped, histogram buckets are cumulative', () => {
  const c = new Counter('x_total', 'x');
  c.inc({ route: 'a"b\\c\nd' });
  const h = new Histogram('lat_seconds', 'lat', [0.1, 1]);
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const text = renderAll([c, h]);
  assert.ok(text.includes('x_total{route="a\\"b\\\\c\\nd"} 1'), text);
  assert.ok(text.includes('lat_seconds_bucket{le="0.1"} 1'));
  assert.ok(text.includes('lat_seconds_bucket{le="1"} 2'));
  assert.ok(text.includes('lat_seconds_bucket{le="+Inf"} 3'));
  assert.ok(text.includes('lat_seconds_count 3'));
  assert.ok(text.includes('lat_seconds_sum 5.55'));
  assert.ok(text.endsWith('\n'));
});

test('isLoopback knows the loopback spellings', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.0.2', 'example.com', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
});

const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

test('protected mode also refuses non-loopback peers at request time', { skip: external ? false : 'no non-loopback IPv4 interface on this machine' }, async () => {
  // built for loopback (auth off), then wrongly listened on every address
  const app = await buildServer({ service: new FakeFaceService(), keyStore: new MemoryKeyStore(), host: '127.0.0.1', port: 0 });
  await app.listen({ host: '0.0.0.0', port: 0 });
  try {
    const p = (app.server.address() as { port: number }).port;
    const img = dataUrl(await png([1, 2, 3]));
    const remote = await postJson(`http://${external}:${p}/v1/detect`, { image: img });
    assert.equal(remote.status, 403);
    assert.equal((await remote.json()).error.code, 'PROTECTED_MODE');
    const local = await postJson(`http://127.0.0.1:${p}/v1/detect`, { image: img });
    assert.equal(local.status, 200);
  } finally {
    await app.close();
  }
});
