import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerKeys } from '../../src/cli/commands/keys.ts';
import { registerServe, runServe, type ServeOptions } from '../../src/cli/commands/serve.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { authenticate, createKey, listKeys, revokeKey } from '../../src/server/keys/manage.ts';
import { parseScopes } from '../../src/server/keys/scopes.ts';
import { FileKeyStore } from '../../src/server/keys/store.ts';
import { DEFAULT_LIMITS, defaultWorkerCount } from '../../src/server/limits.ts';
import { hashSecret, parseToken, secretMatches, newToken } from '../../src/server/keys/tokens.ts';
import { FakeFaceService } from './fake-service.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'facekit-keys-'));
}

test('tokens: only a salted hash is stored, and only the exact secret matches', async () => {
  const t = newToken();
  const parsed = parseToken(t.token);
  assert.deepEqual(parsed, { id: t.id, secret: t.secret });
  assert.ok(await secretMatches(t.secret, t.hash));
  assert.ok(await secretMatches(t.secret, t.hash), 'again, from the verified cache');
  assert.equal(await secretMatches(t.secret.slice(0, -1) + (t.secret.endsWith('A') ? 'B' : 'A'), t.hash), false);
  assert.equal(t.hash.includes(t.secret), false);
  assert.match(t.hash, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/, 'cost parameters recorded with the hash');
  assert.notEqual(hashSecret(t.secret), t.hash, 'salted: the same secret hashes differently each time');
  assert.ok(await secretMatches(t.secret, hashSecret(t.secret)));
  assert.equal(parseToken('fk_zz_short'), null);
  assert.notEqual(newToken().token, t.token);
});

test('scopes parse from a comma list; unknown scopes are refused', () => {
  assert.deepEqual(parseScopes('read, write'), ['read', 'write']);
  assert.throws(() => parseScopes('read,root'), (e: unknown) => e instanceof FacekitError && /root/.test(e.message));
  assert.throws(() => parseScopes(''), FacekitError);
});

test('FileKeyStore: 0600 file, atomic replace, hashes only, revocation, picks up external edits', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'sub', 'keys.json');
    const store = new FileKeyStore(path);
    assert.equal(await store.activeCount(), 0);
    const a = await createKey(store, { scopes: ['read', 'write'], name: 'a' });
    const b = await createKey(store, { scopes: ['admin'] });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['keys.json'], 'no temp files left behind');
    const text = readFileSync(path, 'utf8');
    // the secret is everything after fk_<id>_ (base64url, so it may hold underscores itself)
    const secret = a.token.split('_').slice(2).join('_');
    assert.equal(secret.length, 43);
    assert.equal(text.includes(secret), false, 'secret never written');
    assert.equal((await authenticate(store, a.token))?.id, a.key.id);

    // another process (the CLI) revokes through its own store instance
    const other = new FileKeyStore(path);
    await revokeKey(other, a.key.id);
    assert.equal(await authenticate(store, a.token), null);
    assert.equal(await store.activeCount(), 1);
    assert.deepEqual((await listKeys(store)).map((k) => k.id), [b.key.id]);
    assert.equal((await listKeys(store, { includeRevoked: true })).length, 2);
    await assert.rejects(revokeKey(store, a.key.id), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND');

    writeFileSync(path, '{not json');
    await assert.rejects(store.activeCount(), (e: unknown) => e instanceof FacekitError && e.code === 'STORE_ERROR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FileKeyStore: a key file from before salting is rewritten on first load; its tokens still authenticate', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'facekit', 'keys.json');
    mkdirSync(join(dir, 'facekit'), { mode: 0o700 });
    // what facekit wrote before: the hex sha256 of the secret
    const old = [newToken(), newToken()];
    const sha = old.map((t) => createHash('sha256').update(t.secret).digest('hex'));
    const keys = old.map((t, i) => ({ id: t.id, name: `old${i}`, scopes: ['read'], hash: sha[i], createdAt: '2025-01-01T00:00:00.000Z' }));
    writeFileSync(path, JSON.stringify({ version: 1, keys }, null, 2), { mode: 0o600 });

    const store = new FileKeyStore(path);
    assert.equal((await authenticate(store, old[0].token))?.id, old[0].id, 'the same token authenticates');
    assert.equal((await authenticate(store, old[1].token))?.name, 'old1');
    const wrong = `fk_${old[0].id}_${old[1].secret}`;
    assert.equal(await authenticate(store, wrong), null, 'another key\'s secret under this id is refused');
    assert.equal(await authenticate(store, old[0].token.slice(0, -1) + (old[0].token.endsWith('A') ? 'B' : 'A')), null);

    const text = readFileSync(path, 'utf8');
    for (let i = 0; i < old.length; i++) {
      assert.equal(text.includes(old[i].secret), false, 'no secret in the file');
      assert.equal(text.includes(sha[i]), false, 'no plain sha256 in the file');
      assert.equal(text.includes(Buffer.from(sha[i], 'hex').toString('base64url')), false);
    }
    const rewritten = JSON.parse(text) as { keys: { id: string; name: string; hash: string }[] };
    assert.deepEqual(rewritten.keys.map((k) => [k.id, k.name]), [[old[0].id, 'old0'], [old[1].id, 'old1']], 'ids and names kept');
    for (const k of rewritten.keys) assert.match(k.hash, /^scrypt\$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'facekit')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(dir, 'facekit')), ['keys.json'], 'no temp files left behind');

    // a new process (fresh store, empty verified cache is per stored hash) reads the salted file
    assert.equal((await authenticate(new FileKeyStore(path), old[0].token))?.id, old[0].id);
    assert.equal(await authenticate(new FileKeyStore(path), wrong), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FileKeyStore: an unsalted key file that cannot be rewritten keeps working', { skip: process.getuid?.() === 0 && 'root writes read-only directories' }, async () => {
  const dir = tempDir();
  try {
    const t = newToken();
    const path = join(dir, 'keys.json');
    const hash = createHash('sha256').update(t.secret).digest('hex');
    writeFileSync(path, JSON.stringify({ version: 1, keys: [{ id: t.id, name: '', scopes: ['read'], hash, createdAt: '2025-01-01T00:00:00.000Z' }] }), { mode: 0o600 });
    chmodSync(dir, 0o500);
    const warned: string[] = [];
    const onWarning = (w: Error) => warned.push(w.message);
    process.on('warning', onWarning);
    try {
      assert.equal((await authenticate(new FileKeyStore(path), t.token))?.id, t.id);
    } finally {
      process.off('warning', onWarning);
      chmodSync(dir, 0o700);
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(warned.some((m) => /unsalted/.test(m)), warned.join('; '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function runCli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerKeys(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log;
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  console.log = (...a: unknown[]) => { out += `${a.join(' ')}\n`; };
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'facekit', ...args]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
    console.log = log;
  }
  return out;
}

test('facekit keys create / list / revoke', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'keys.json');
    const created = JSON.parse(await runCli(['keys', 'create', '--scope', 'read,write', '--name', 'ci', '--keys-file', file, '--json']));
    assert.match(created.token, /^fk_/);
    assert.deepEqual(created.key.scopes, ['read', 'write']);
    const plain = (await runCli(['keys', 'create', '--scope', 'admin', '--keys-file', file])).trim();
    assert.match(plain, /^fk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);

    const listed = JSON.parse(await runCli(['keys', 'list', '--keys-file', file, '--json']));
    assert.equal(listed.length, 2);
    const table = await runCli(['keys', 'list', '--keys-file', file]);
    assert.match(table, new RegExp(`${created.key.id}\\s+read,write`));

    assert.match(await runCli(['keys', 'revoke', created.key.id, '--keys-file', file]), /revoked/);
    assert.equal(JSON.parse(await runCli(['keys', 'list', '--keys-file', file, '--json'])).length, 1);
    assert.equal(await authenticate(new FileKeyStore(file), created.token), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function serveOpts(over: Partial<ServeOptions>): ServeOptions {
  return { port: '0', host: '127.0.0.1', auditLog: '', concurrency: '1', maxQueued: '4', rate: '0', maxBodyMb: '8', maxPixels: '1000000', ...over };
}

test('serve: refuses 0.0.0.0 without keys before building the service; serves loopback with the factory service', async () => {
  const dir = tempDir();
  try {
    const keysFile = join(dir, 'keys.json');
    let built = 0;
    const factory = async (o: { db?: string }) => { built++; assert.equal(o.db, 'gallery.db'); return new FakeFaceService(); };
    await assert.rejects(runServe(serveOpts({ host: '0.0.0.0', keysFile, db: 'gallery.db' }), factory), /refusing to listen on 0\.0\.0\.0/);
    assert.equal(built, 0);

    const errWrite = process.stderr.write.bind(process.stderr);
    let err = '';
    process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
    const { app, address } = await runServe(serveOpts({ keysFile, db: 'gallery.db', auditLog: join(dir, 'audit.jsonl') }), factory).finally(() => { process.stderr.write = errWrite; });
    try {
      assert.equal(built, 1);
      assert.match(err, /PROTECTED MODE/);
      assert.equal((await fetch(`${address}/health`)).status, 200);
    } finally {
      await app.close();
    }

    // with a key, 0.0.0.0 is allowed
    await createKey(new FileKeyStore(keysFile), { scopes: ['read'] });
    const open = await runServe(serveOpts({ host: '0.0.0.0', keysFile, db: 'gallery.db', auditLog: join(dir, 'audit.jsonl') }), factory);
    try {
      const port = (open.app.server.address() as { port: number }).port;
      assert.equal((await fetch(`http://127.0.0.1:${port}/v1/people`)).status, 401);
    } finally {
      await open.app.close();
    }

    // the command registers with its options
    const program = new Command();
    registerServe(program, factory);
    const serve = program.commands.find((c) => c.name() === 'serve');
    assert.ok(serve);
    for (const o of ['--port', '--host', '--db', '--deadline', '--auth-failures']) assert.ok(serve.options.some((x) => x.long === o), o);
    assert.equal(serve.options.find((x) => x.long === '--deadline')?.defaultValue, '20');
    assert.equal(serve.options.find((x) => x.long === '--auth-failures')?.defaultValue, '20');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve: --deadline reaches the face service, --auth-failures the auth limit', async () => {
  const dir = tempDir();
  try {
    const keysFile = join(dir, 'keys.json');
    await createKey(new FileKeyStore(keysFile), { scopes: ['read'] });
    const seen: { deadlineMs?: number }[] = [];
    const factory = async (o: { deadlineMs?: number }) => { seen.push(o); return new FakeFaceService(); };
    const { app, address } = await runServe(serveOpts({ keysFile, auditLog: join(dir, 'audit.jsonl'), deadline: '3', authFailures: '2' }), factory);
    try {
      assert.equal(seen[0].deadlineMs, 3000);
      const wrong = { authorization: 'Bearer fk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${address}/v1/people`, { headers: wrong })).status);
      assert.deepEqual(statuses, [401, 401, 429]);
    } finally {
      await app.close();
    }
    const defaults = await runServe(serveOpts({ keysFile, auditLog: join(dir, 'audit.jsonl') }), factory);
    await defaults.app.close();
    assert.equal(seen[1].deadlineMs, 20_000);
    // workers: one per core (up to 4) unless given; the queue runs as many jobs as there are workers
    assert.equal((seen[1] as { workers?: number }).workers, defaultWorkerCount());
    const three = await runServe(serveOpts({ keysFile, auditLog: join(dir, 'audit.jsonl'), workers: '3', concurrency: undefined }), factory);
    await three.app.close();
    assert.equal((seen[2] as { workers?: number }).workers, 3);
    assert.equal(three.app.facekit.queue.concurrency, 3);
    const one = await runServe(serveOpts({ keysFile, auditLog: join(dir, 'audit.jsonl'), workers: '1', concurrency: undefined }), factory);
    await one.app.close();
    assert.equal(one.app.facekit.queue.concurrency, DEFAULT_LIMITS.concurrency, 'at least the default when there are fewer workers');
    await assert.rejects(runServe(serveOpts({ keysFile, workers: '0' }), factory), /--workers must be an integer >= 1/);
    await assert.rejects(runServe(serveOpts({ keysFile, deadline: '-1' }), factory), /--deadline must be an integer >= 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
