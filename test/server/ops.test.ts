import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, png, dataUrl, postJson } from './helpers.ts';

/** A minimal parser for the Prometheus text format: every sample line must parse. */
function parseProm(text: string): { types: Map<string, string>; samples: Array<{ name: string; labels: Record<string, string>; value: number }> } {
  const types = new Map<string, string>();
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t) { types.set(t[1], t[2]); continue; }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
      let consumed = 0;
      for (let l = re.exec(m[3]); l; l = re.exec(m[3])) { labels[l[1]] = l[2]; consumed += l[0].length; }
      assert.equal(consumed, m[3].length, `bad label set: ${m[3]}`);
    }
    const value = m[4] === '+Inf' ? Infinity : Number(m[4]);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

test('/metrics is Prometheus text whose counters move with requests', async () => {
  const h = await startHarness();
  try {
    const img = dataUrl(await png([9, 9, 9]));
    await postJson(`${h.url}/v1/detect`, { image: img });
    await postJson(`${h.url}/v1/detect`, { image: img });
    await postJson(`${h.url}/v1/detect`, { image: 'bad!' });
    await postJson(`${h.url}/v1/people`, { name: 'm1', images: [img] });
    await postJson(`${h.url}/v1/represent`, { image: img });

    const res = await fetch(`${h.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseProm(await res.text());
    const get = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

    assert.equal(types.get('facekit_http_requests_total'), 'counter');
    assert.equal(types.get('facekit_http_request_duration_seconds'), 'histogram');
    assert.equal(get('facekit_http_requests_total', { method: 'POST', route: '/v1/detect', status: '200' }), 2);
    assert.equal(get('facekit_http_requests_total', { method: 'POST', route: '/v1/detect', status: '400' }), 1);
    assert.equal(get('facekit_http_request_duration_seconds_count', { route: '/v1/detect', status: '200' }), 2);
    assert.equal(get('facekit_http_request_duration_seconds_bucket', { route: '/v1/detect', status: '200', le: '+Inf' }), 2);
    assert.equal(get('facekit_gallery_people', {}), 1);
    assert.equal(get('facekit_gallery_faces', {}), 1);
    // the fake reports inference into the hook: once per represent, once per decode
    assert.equal(get('facekit_model_inference_seconds_count', { model: 'fr_feature' }), 1);
    assert.ok((get('facekit_model_inference_seconds_count', { model: 'fake-detector' }) ?? 0) >= 4);

    // a second scrape sees the first one counted
    const again = parseProm(await (await fetch(`${h.url}/metrics`)).text());
    assert.equal(again.samples.find((s) => s.name === 'facekit_http_requests_total' && s.labels.route === '/metrics')?.value, 1);
  } finally {
    await h.close();
  }
});

test('/docs serves Swagger UI and the OpenAPI document lists every route', async () => {
  const h = await startHarness();
  try {
    const ui = await fetch(`${h.url}/docs`, { redirect: 'follow' });
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
    const spec = await (await fetch(`${h.url}/docs/json`)).json();
    assert.equal(spec.openapi.slice(0, 2), '3.');
    const expected: Record<string, string[]> = {
      '/v1/detect': ['post'], '/v1/represent': ['post'], '/v1/verify': ['post'], '/v1/identify': ['post'], '/v1/analyze': ['post'],
      '/v1/people': ['get', 'post'], '/v1/people/{id}': ['get', 'patch', 'delete'], '/v1/people/{id}/faces': ['post'],
      '/v1/people/{id}/faces/{faceId}': ['delete'], '/v1/keys': ['get', 'post'], '/v1/keys/{id}': ['delete'],
      '/verify': ['post'], '/represent': ['post'], '/analyze': ['post'], '/health': ['get'], '/metrics': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      assert.ok(spec.paths[path], `OpenAPI lacks ${path}`);
      for (const m of methods) {
        const op = spec.paths[path][m];
        assert.ok(op, `OpenAPI lacks ${m.toUpperCase()} ${path}`);
        assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${m} ${path} documents no success response`);
      }
    }
    assert.ok(spec.paths['/v1/detect'].post.requestBody.content['multipart/form-data'], 'uploads documented as multipart too');
    assert.ok(spec.components.securitySchemes.bearer);
  } finally {
    await h.close();
  }
});

test('a full queue answers 503 with Retry-After; queued work still completes', async () => {
  const h = await startHarness({ limits: { concurrency: 1, maxQueued: 1 } });
  try {
    const img = dataUrl(await png([3, 3, 3]));
    let open!: () => void;
    h.service.gate = new Promise<void>((r) => { open = r; });
    const first = postJson(`${h.url}/v1/detect`, { image: img });
    const second = postJson(`${h.url}/v1/detect`, { image: img });
    // wait until one runs and one waits
    for (let i = 0; i < 200 && !(h.app.facekit.queue.running === 1 && h.app.facekit.queue.queued === 1); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.app.facekit.queue.queued, 1);
    const third = await postJson(`${h.url}/v1/detect`, { image: img });
    assert.equal(third.status, 503);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    assert.equal((await third.json()).error.code, 'QUEUE_FULL');
    h.service.gate = null;
    open();
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
  } finally {
    await h.close();
  }
});

test('graceful close lets an in-flight request finish, then closes the service', async () => {
  const h = await startHarness();
  const img = dataUrl(await png([4, 4, 4]));
  let open!: () => void;
  h.service.gate = new Promise<void>((r) => { open = r; });
  const inflight = postJson(`${h.url}/v1/detect`, { image: img });
  for (let i = 0; i < 200 && h.app.facekit.queue.running === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.app.facekit.queue.running, 1);
  const closing = h.close();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.service.closed, false, 'service closed while a request was in flight');
  open();
  const res = await inflight;
  assert.equal(res.status, 200);
  await closing;
  assert.equal(h.service.closed, true);
  await assert.rejects(fetch(`${h.url}/health`));
});

test('closeOnSignals: a signal closes the server and exits 0 once in-flight work is done', async () => {
  const { closeOnSignals } = await import('../../src/server/index.ts');
  const h = await startHarness();
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) => {
    const off = closeOnSignals(h.app, { signals: ['SIGUSR2'], exit: (c) => { exitCode = c; off(); resolve(); } });
  });
  let open!: () => void;
  h.service.gate = new Promise<void>((r) => { open = r; });
  const inflight = postJson(`${h.url}/v1/detect`, { image: dataUrl(await png([6, 6, 6])) });
  for (let i = 0; i < 200 && h.app.facekit.queue.running === 0; i++) await new Promise((r) => setTimeout(r, 10));
  process.kill(process.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(exitCode, null);
  open();
  assert.equal((await inflight).status, 200);
  await exited;
  assert.equal(exitCode, 0);
  assert.equal(h.service.closed, true);
  await h.close().catch(() => undefined);
});
