import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getModelRecord } from '../../src/models/index.ts';
import { packageFile } from '../../src/models/package-files.ts';
import { clearSessions, getSession } from '../../src/runtime/session.ts';

const record = getModelRecord('fr_landmark');
const file = packageFile(record.source.package, record.source.file);
const input = { data: Float32Array.from({ length: 64 * 64 }, (_, i) => (i % 64) / 64), dims: [1, 1, 64, 64] };

async function landmarks(dir: string): Promise<Float32Array> {
  clearSessions();
  const s = await getSession('fr_landmark', async () => file, { optimisedDir: dir });
  return Object.values(await s.run({ input }))[0].data as Float32Array;
}

test('ORT\'s optimised graph is saved once in the cache dir, reused, and remade when unreadable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-ort-'));
  try {
    const first = await landmarks(dir);
    const saved = readdirSync(dir);
    assert.equal(saved.length, 1, `one saved graph, no temporary left: ${saved}`);
    assert.match(saved[0], /^fr_landmark-[0-9a-f]{16}\.ort\.onnx$/);
    const path = join(dir, saved[0]);
    const bytes = readFileSync(path);
    assert.ok(bytes.includes(Buffer.from('com.microsoft')), 'the saved graph is ORT\'s rewritten one, not a copy of the source');
    const mtime = statSync(path).mtimeMs;
    assert.deepEqual(await landmarks(dir), first);
    assert.equal(statSync(path).mtimeMs, mtime, 'the second session loaded the saved graph without writing it');
    writeFileSync(path, 'not a model');
    assert.deepEqual(await landmarks(dir), first);
    assert.ok(statSync(path).size > 1000, 'an unreadable saved graph is written again');
  } finally {
    clearSessions();
    rmSync(dir, { recursive: true, force: true });
  }
});
