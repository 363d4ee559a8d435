/** `facekit cluster`, `cluster name` and `find` as a user runs them. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facekit } from '../cli/helpers.ts';
import { buildFolder, cutPerson, GROUP, personAt } from './photos.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-cluster-cli-'));
const photos = join(dir, 'photos');
const db = join(dir, 'g.db');
let truth: Record<string, string[]>;

before(async () => { truth = await buildFolder(photos); });
after(() => rmSync(dir, { recursive: true, force: true }));

interface OutFile { clusters: { id: string; faces: { file: string; box: { x: number; y: number; w: number; h: number } }[] }[]; unclustered: unknown[] }

test('cluster writes --out and --report; cluster name enrolls; identify and find then work', async () => {
  const out = join(dir, 'clusters.json');
  const report = join(dir, 'report');
  const r = facekit(['cluster', photos, '--db', db, '--out', out, '--report', report]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /10 images, 12 faces/);
  assert.match(r.stdout, /3 clusters/);
  const clusters = JSON.parse(readFileSync(out, 'utf8')) as OutFile;
  assert.equal(clusters.clusters.length, 3);
  assert.deepEqual(clusters.unclustered, []);
  const bob = clusters.clusters.find((c) => c.faces.some((f) => f.file === truth.bob[0]))!;
  assert.deepEqual(bob.faces.map((f) => f.file).sort(), [...truth.bob, 'group/sample1.jpg'].sort());
  assert.equal(personAt(bob.faces.find((f) => f.file === 'group/sample1.jpg')!.box), 'bob');
  assert.ok(existsSync(join(report, 'index.html')));

  // the cluster is found through the gallery it was clustered with: no folder needed
  const named = facekit(['cluster', 'name', bob.id, 'Bob', '--db', db]);
  assert.equal(named.code, 0, named.stderr);
  assert.match(named.stdout, /new person Bob/);
  const who = facekit(['identify', GROUP, '--db', db, '--json']);
  assert.equal(who.code, 0, who.stderr);
  const faces = (JSON.parse(who.stdout) as { faces: { box: OutFile['clusters'][0]['faces'][0]['box']; match: { name: string } | null }[] }).faces;
  assert.deepEqual(faces.filter((f) => f.match).map((f) => [f.match!.name, personAt(f.box)]), [['Bob', 'bob']]);

  const query = await cutPerson(dir, 1, 3, 'q');
  const found = facekit(['find', join(dir, query), '--in', photos, '--json']);
  assert.equal(found.code, 0, found.stderr);
  const f = JSON.parse(found.stdout) as { matches: { file: string; distance: number; confidence: number }[]; folder: { embedded: number } };
  assert.equal(f.folder.embedded, 0, 'the folder embeddings come from the cache');
  assert.deepEqual(f.matches.map((m) => m.file).sort(), [...truth.bob, 'group/sample1.jpg'].sort());
});

test('bad input: a missing folder, an unknown cluster, name without a gallery', () => {
  const missing = facekit(['cluster', join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /folder not found: .*nope \[NOT_FOUND\]/);
  const unknown = facekit(['cluster', 'name', 'c99', 'X', '--db', db]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /c99.*\[NOT_FOUND\]/);
  const noDb = facekit(['cluster', 'name', 'c1', 'X', '--dir', photos]);
  assert.equal(noDb.code, 2);
  assert.match(noDb.stderr, /--db/);
  assert.doesNotMatch(missing.stderr + unknown.stderr + noDb.stderr, /at .*\.ts:\d+/, 'no stack traces');
});
