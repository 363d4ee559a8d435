/** /v1/clusters and /v1/find over HTTP: the real cluster stage, the test double for the gallery. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createClusterService } from '../../src/cluster/index.ts';
import { dataUrl, postJson, startHarness, type Harness } from '../server/helpers.ts';
import { buildFolder, cutPerson } from './photos.ts';

let root: string;
let h: Harness;
let off: Harness;
let truth: Record<string, string[]>;

interface Clusters { clusters: { id: string; name?: string; personId?: string; faces: { faceId: number; file: string }[] }[]; unclustered: unknown[] }

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'facekit-cluster-server-'));
  truth = await buildFolder(join(root, 'photos'));
  h = await startHarness({ clusters: createClusterService({ root }) });
  off = await startHarness();
});
after(async () => {
  await h.close();
  await off.close();
  rmSync(root, { recursive: true, force: true });
});

test('cluster a folder, list it, name a cluster (enrolled through the people service), fetch a thumbnail, find a face', async () => {
  const res = await postJson(`${h.url}/v1/clusters`, { dir: 'photos' });
  assert.equal(res.status, 200, await res.clone().text());
  const r = await res.json() as Clusters;
  assert.equal(r.clusters.length, 3);
  const listed = await (await fetch(`${h.url}/v1/clusters?dir=photos`)).json() as Clusters;
  assert.deepEqual(listed.clusters.map((c) => c.id), r.clusters.map((c) => c.id));

  const cat = r.clusters.find((c) => c.faces.some((f) => f.file === truth.cat[0]))!;
  const named = await postJson(`${h.url}/v1/clusters/${cat.id}/name`, { dir: 'photos', name: 'Cat', best: 2 });
  assert.equal(named.status, 200, await named.clone().text());
  const n = await named.json() as { personId: string; enrolled: number };
  assert.equal(n.enrolled, 2);
  const person = await (await fetch(`${h.url}/v1/people/${n.personId}`)).json() as { name: string; faceCount: number };
  assert.equal(person.name, 'Cat');
  assert.equal(person.faceCount, 2, 'two face crops enrolled through the people service');
  const after = await (await fetch(`${h.url}/v1/clusters?dir=photos`)).json() as Clusters;
  assert.equal(after.clusters.find((c) => c.id === cat.id)?.name, 'Cat');
  assert.equal(after.clusters.find((c) => c.id === cat.id)?.personId, n.personId);

  const thumb = await fetch(`${h.url}/v1/clusters/faces/${cat.faces[0].faceId}?dir=photos`);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
  assert.ok(meta.width! > 32 && meta.width! <= 128);

  const query = readFileSync(join(h.dir, await cutPerson(h.dir, 2, 3, 'q')));
  const found = await postJson(`${h.url}/v1/find`, { dir: 'photos', image: dataUrl(query) });
  assert.equal(found.status, 200, await found.clone().text());
  const f = await found.json() as { matches: { file: string; confidence: number }[] };
  assert.deepEqual(f.matches.map((m) => m.file).sort(), [...truth.cat, 'group/sample1.jpg'].sort());
});

test('folders outside the photos root are refused; without a photos root the routes answer 404', async () => {
  const out = await postJson(`${h.url}/v1/clusters`, { dir: '../..' });
  assert.equal(out.status, 400);
  assert.match(((await out.json()) as { error: { message: string } }).error.message, /outside the photos root/);
  const missing = await fetch(`${h.url}/v1/clusters?dir=nope`);
  assert.equal(missing.status, 404);
  const unknown = await postJson(`${h.url}/v1/clusters/c99/name`, { dir: 'photos', name: 'X' });
  assert.equal(unknown.status, 404);
  const offRes = await fetch(`${off.url}/v1/clusters?dir=photos`);
  assert.equal(offRes.status, 404);
  assert.match(((await offRes.json()) as { error: { message: string } }).error.message, /photos root/);
});
