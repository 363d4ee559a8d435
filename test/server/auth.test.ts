import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer } from '../../src/server/index.ts';
import { createKey } from '../../src/server/keys/manage.ts';
import { MemoryKeyStore } from '../../src/server/keys/store.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { FakeFaceService } from './fake-service.ts';
import { startHarness, png, dataUrl, postJson, bearer } from './helpers.ts';

test('protected mode: with no keys, binding 0.0.0.0 (or any non-loopback address) is refused with the remedy', async () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
    await assert.rejects(
      buildServer({ service: new FakeFaceService(), keyStore: new MemoryKeyStore(), host, port: 0 }),
      (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && e.message.includes(host) && /keys create/.test(e.message),
    );
  }
});

test('protected mode: with no keys, loopback works without a key and warns loudly', async () => {
  const logs: string[] = [];
  const stream = { write: (s: string) => { logs.push(s); } };
  const h = await startHarness({ logger: { level: 'warn', stream } });
  try {
    const res = await postJson(`${h.url}/v1/detect`, { image: dataUrl(await png([1, 1, 1])) });
    assert.equal(res.status, 200);
    assert.ok(logs.some((l) => /PROTECTED MODE/.test(l) && /authentication is OFF/.test(l)), logs.join(''));
  } finally {
    await h.close();
  }
});

test('with keys on a non-loopback bind the server builds, and every route needs a key', async () => {
  const keyStore = new MemoryKeyStore();
  const { token } = await createKey(keyStore, { scopes: ['read'] });
  const app = await buildServer({ service: new FakeFaceService(), keyStore, host: '0.0.0.0', port: 0 });
  try {
    // listen on loopback for the test; auth stays forced because the build was for 0.0.0.0
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${url}/v1/people`)).status, 401);
    assert.equal((await fetch(`${url}/v1/people`, { headers: bearer(token) })).status, 200);
  } finally {
    await app.close();
  }
});

test('once a key exists, requests without a key, with a wrong key, or with the wrong scope are refused', async () => {
  const keyStore = new MemoryKeyStore();
  const h = await startHarness({}, keyStore);
  try {
    const img = dataUrl(await png([5, 5, 5]));
    // no keys yet: open on loopback
    assert.equal((await postJson(`${h.url}/v1/detect`, { image: img })).status, 200);
    const reader = await createKey(keyStore, { scopes: ['read'], name: 'reader' });
    const writer = await createKey(keyStore, { scopes: ['write'], name: 'writer' });

    const none = await postJson(`${h.url}/v1/detect`, { image: img });
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error.code, 'UNAUTHORIZED');
    assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);

    const wrongSecret = reader.token.slice(0, -4) + 'AAAA';
    const wrong = await postJson(`${h.url}/v1/detect`, { image: img }, bearer(wrongSecret));
    assert.equal(wrong.status, 401);
    const garbage = await postJson(`${h.url}/v1/detect`, { image: img }, { 'x-api-key': 'hello' });
    assert.equal(garbage.status, 401);

    assert.equal((await postJson(`${h.url}/v1/detect`, { image: img }, bearer(reader.token))).status, 200);
    assert.equal((await postJson(`${h.url}/v1/detect`, { image: img }, { 'x-api-key': reader.token })).status, 200);

    const readerWrites = await postJson(`${h.url}/v1/people`, { name: 'x' }, bearer(reader.token));
    assert.equal(readerWrites.status, 403);
    const fb = await readerWrites.json();
    assert.equal(fb.error.code, 'FORBIDDEN');
    assert.match(fb.error.message, /write/);

    const writerReads = await postJson(`${h.url}/v1/detect`, { image: img }, bearer(writer.token));
    assert.equal(writerReads.status, 403);
    const created = await postJson(`${h.url}/v1/people`, { name: 'x' }, bearer(writer.token));
    assert.equal(created.status, 201);

    // keys routes need admin
    assert.equal((await fetch(`${h.url}/v1/keys`, { headers: bearer(writer.token) })).status, 403);

    // the audit line names the key
    const lines = readFileSync(join(h.dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const denied = lines.find((l) => l.status === 403 && l.route === '/v1/people');
    assert.equal(denied?.keyId, reader.key.id);
    const ok = lines.find((l) => l.status === 201 && l.route === '/v1/people');
    assert.equal(ok?.keyId, writer.key.id);
    assert.equal(ok?.keyName, 'writer');

    // health stays public
    assert.equal((await fetch(`${h.url}/health`)).status, 200);
  } finally {
    await h.close();
  }
});

test('admin keys manage keys over HTTP; a revoked key stops working at once', async () => {
  const keyStore = new MemoryKeyStore();
  const admin = await createKey(keyStore, { scopes: ['admin'] });
  const h = await startHarness({}, keyStore);
  try {
    const made = await postJson(`${h.url}/v1/keys`, { scopes: ['read'], name: 'ci' }, bearer(admin.token));
    assert.equal(made.status, 201);
    const { token, key } = await made.json();
    assert.match(token, /^fk_[0-9a-f]{16}_/);
    const listed = await (await fetch(`${h.url}/v1/keys`, { headers: bearer(admin.token) })).json();
    assert.ok(listed.keys.some((k: { id: string }) => k.id === key.id));
    assert.ok(listed.keys.every((k: Record<string, unknown>) => !('hash' in k)));
    assert.equal((await fetch(`${h.url}/v1/people`, { headers: bearer(token) })).status, 200);
    assert.equal((await fetch(`${h.url}/v1/keys/${key.id}`, { method: 'DELETE', headers: bearer(admin.token) })).status, 204);
    assert.equal((await fetch(`${h.url}/v1/people`, { headers: bearer(token) })).status, 401);
    // admin implies read and write
    assert.equal((await fetch(`${h.url}/v1/people`, { headers: bearer(admin.token) })).status, 200);
  } finally {
    await h.close();
  }
});

test('rate limit per key: over the budget is 429 with Retry-After, other keys unaffected', async () => {
  const keyStore = new MemoryKeyStore();
  const a = await createKey(keyStore, { scopes: ['read'] });
  const b = await createKey(keyStore, { scopes: ['read'] });
  const h = await startHarness({ limits: { rateMax: 3, rateWindowMs: 60_000 } }, keyStore);
  try {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${h.url}/v1/people`, { headers: bearer(a.token) })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await fetch(`${h.url}/v1/people`, { headers: bearer(a.token) });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    const body = await limited.json();
    assert.equal(body.error.code, 'RATE_LIMITED');
    assert.equal((await fetch(`${h.url}/v1/people`, { headers: bearer(b.token) })).status, 200);
    // health is not metered
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${h.url}/health`)).status, 200);
  } finally {
    await h.close();
  }
});
