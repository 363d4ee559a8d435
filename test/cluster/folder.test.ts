/** Clustering a folder of known people end to end: clusters, incremental runs, naming, find. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clusterFolder, clustersJson, findInFolder, mergeClusters, nameCluster, splitCluster, writeContactSheet, type FolderClusters,
} from '../../src/cluster/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { identify, openGallery, type Gallery } from '../../src/identify/index.ts';
import { buildFolder, cutPerson, GROUP, PEOPLE, personAt } from './photos.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-cluster-'));
const photos = join(dir, 'photos');
let truth: Record<string, string[]>;
let gallery: Gallery;
let first: FolderClusters;

/** person of a clustered face: from the file name, or from the box in the group photo */
function personOf(f: { file: string; box: { x: number; y: number; w: number; h: number } }): string {
  if (f.file.startsWith('group/')) return personAt(f.box) ?? `stranger@${f.box.x}`;
  return f.file.split('/')[1].split('-')[0];
}

/** cluster id -> the set of people in it */
function peopleByCluster(r: FolderClusters): Map<string, string[]> {
  return new Map(r.clusters.map((c) => [c.id, [...new Set(c.faces.map(personOf))].sort()]));
}

before(async () => {
  truth = await buildFolder(photos);
  gallery = await openGallery(join(dir, 'g.db'));
});
after(async () => {
  await gallery.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every face of the folder is grouped by person: one cluster per person, each holding all of their photos', async () => {
  const seen: number[] = [];
  first = await clusterFolder(photos, { onProgress: (d) => seen.push(d) });
  assert.equal(first.stats.files, 10);
  assert.equal(first.stats.embedded, 10);
  assert.equal(seen.at(-1), 10, 'progress reaches the total');
  assert.equal(first.unclustered.length, 0, `unclustered: ${JSON.stringify(first.unclustered)}`);
  assert.equal(first.clusters.length, 3, JSON.stringify([...peopleByCluster(first)]));
  for (const [id, people] of peopleByCluster(first)) assert.equal(people.length, 1, `cluster ${id} mixes ${people.join(', ')}`);
  for (const person of PEOPLE) {
    const c = first.clusters.find((x) => x.faces.some((f) => personOf(f) === person))!;
    const files = c.faces.map((f) => f.file).sort();
    assert.deepEqual(files, [...truth[person], 'group/sample1.jpg'].sort(), person);
  }
  // ids c1.. and the --out shape, paths relative to the folder
  assert.deepEqual(first.clusters.map((c) => c.id).sort(), ['c1', 'c2', 'c3']);
  const out = clustersJson(first);
  assert.deepEqual(Object.keys(out).sort(), ['clusters', 'unclustered']);
  assert.ok(out.clusters.every((c) => c.faces.every((f) => !f.file.startsWith('/') && typeof f.box.w === 'number')));
  assert.ok(existsSync(join(photos, '.facekit')), 'cache kept in DIR/.facekit');
});

test('a second run on the grown folder embeds only the new files, and their faces join the existing clusters', async () => {
  const added = [await cutPerson(photos, 0, 3), await cutPerson(photos, 1, 3)];
  const r = await clusterFolder(photos);
  assert.equal(r.stats.files, 12);
  assert.equal(r.stats.embedded, 2, 'only the two new photos are embedded');
  assert.equal(r.stats.newFaces, 2);
  assert.equal(r.stats.joined, 2);
  assert.equal(r.stats.newClusters, 0);
  assert.equal(r.clusters.length, 3);
  for (const [i, rel] of added.entries()) {
    const before = first.clusters.find((c) => c.faces.some((f) => personOf(f) === PEOPLE[i]))!;
    const now = r.clusters.find((c) => c.faces.some((f) => f.file === rel))!;
    assert.equal(now.id, before.id, `${rel} joined ${now.id}, ${PEOPLE[i]} is ${before.id}`);
  }
  // unchanged folder: nothing embedded, same clusters
  const again = await clusterFolder(photos);
  assert.equal(again.stats.embedded, 0);
  assert.deepEqual(peopleByCluster(again), peopleByCluster(r));
});

test('a copy of a known photo is not embedded again (cached by file hash)', async () => {
  const { copyFileSync } = await import('node:fs');
  copyFileSync(join(photos, truth.cat[0]), join(photos, 'people/cat-copy.png'));
  const r = await clusterFolder(photos);
  assert.equal(r.stats.embedded, 0);
  assert.equal(r.stats.reused, 1);
  const cat = r.clusters.find((c) => c.faces.some((f) => f.file === 'people/cat-copy.png'))!;
  assert.ok(cat.faces.some((f) => f.file === truth.cat[1]), 'the copy joins cat');
  rmSync(join(photos, 'people/cat-copy.png'));
  const back = await clusterFolder(photos);
  assert.equal(back.stats.removed, 1);
  assert.ok(!back.clusters.some((c) => c.faces.some((f) => f.file === 'people/cat-copy.png')));
});

test('naming a cluster enrolls its best faces, and identify then names that person in the group photo', async () => {
  const r = await clusterFolder(photos);
  const annCluster = r.clusters.find((c) => c.faces.some((f) => personOf(f) === 'ann'))!;
  const named = await nameCluster(gallery, photos, annCluster.id, 'Ann', { best: 3 });
  assert.equal(named.created, true);
  assert.equal(named.enrolled.length, 3);
  assert.ok(named.enrolled.every((f) => personOf(f) === 'ann'));
  const id = await identify(gallery, GROUP);
  const names = id.faces.map((f) => [personAt(f.box), f.match?.name ?? null]);
  assert.deepEqual(names.filter(([p]) => p === 'ann').map(([, n]) => n), ['Ann'], JSON.stringify(names));
  assert.ok(names.filter(([p]) => p !== 'ann').every(([, n]) => n === null), `only Ann is known: ${JSON.stringify(names)}`);
  // the name is kept with the cluster, and naming again adds faces to the same person
  const again = await nameCluster(gallery, photos, annCluster.id, 'Ann', { best: 5 });
  assert.equal(again.created, false);
  assert.equal(again.person.id, named.person.id);
  assert.equal(again.enrolled.length, annCluster.faces.length - 3, 'only faces not yet enrolled');
  const after = await clusterFolder(photos);
  assert.equal(after.clusters.find((c) => c.id === annCluster.id)?.name, 'Ann');
  await assert.rejects(nameCluster(gallery, photos, 'c999', 'X'), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND' && /c999/.test(e.message));
});

test('split and merge by hand: faces move, ids stay, and the next run keeps the edit', async () => {
  const r = await clusterFolder(photos);
  const bob = r.clusters.find((c) => c.faces.some((f) => personOf(f) === 'bob'))!;
  const cat = r.clusters.find((c) => c.faces.some((f) => personOf(f) === 'cat'))!;
  const split = splitCluster(photos, bob.id, { files: [truth.bob[0]] });
  const moved = split.clusters.clusters.find((c) => c.id === split.newId)!;
  assert.deepEqual(moved.faces.map((f) => f.file), [truth.bob[0]]);
  assert.equal(split.clusters.clusters.find((c) => c.id === bob.id)!.faces.length, bob.faces.length - 1);
  const kept = await clusterFolder(photos);
  assert.ok(kept.clusters.some((c) => c.id === split.newId), 'a plain re-run keeps the split');
  const merged = mergeClusters(photos, [bob.id, split.newId]);
  assert.equal(merged.clusters.find((c) => c.id === bob.id)!.faces.length, bob.faces.length);
  assert.ok(!merged.clusters.some((c) => c.id === split.newId));
  assert.throws(() => mergeClusters(photos, [bob.id, 'c404']), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND');
  assert.throws(() => splitCluster(photos, cat.id, { files: cat.faces.map((f) => f.file) }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
});

test('find: every photo of the person in the query, nearest first, with box and confidence; nobody else', async () => {
  const query = await cutPerson(dir, 2, 3, 'queries');
  const r = await findInFolder(join(dir, query), photos);
  assert.equal(r.folder.embedded, 0, 'the folder comes from its cache');
  const files = r.matches.map((m) => m.file);
  assert.deepEqual([...files].sort(), [...truth.cat, 'group/sample1.jpg'].sort());
  for (let i = 1; i < r.matches.length; i++) assert.ok(r.matches[i - 1].distance <= r.matches[i].distance);
  const g = r.matches.find((m) => m.file === 'group/sample1.jpg')!;
  assert.equal(personAt(g.box), 'cat', 'the box is cat\'s face in the group photo');
  assert.ok(r.matches.every((m) => m.distance <= r.threshold && m.confidence > 0.5 && m.confidence <= 1));
  // the float32 boxes of the cache come out to 0.1 px, figures to 4 decimals, like every face record
  const roundedTo = (v: number, decimals: number) => Math.abs(v * 10 ** decimals - Math.round(v * 10 ** decimals)) < 1e-6;
  for (const m of r.matches) assert.ok(Object.values(m.box).every((v) => roundedTo(v, 1)) && roundedTo(m.distance, 4) && roundedTo(m.confidence, 4), JSON.stringify(m));
  const all = await findInFolder(join(dir, query), photos, { all: true });
  assert.equal(all.matches.length, 12, 'with --all every image is ranked (9 + 2 added + the group photo)');
  assert.ok(all.matches.slice(files.length).every((m) => m.distance > r.threshold));
});

test('the contact sheet has one row per cluster, largest first, with a thumbnail per face', async () => {
  const r = await clusterFolder(photos);
  const out = join(dir, 'report');
  const sheet = await writeContactSheet(out, r);
  const faces = r.clusters.reduce((s, c) => s + c.faces.length, 0);
  assert.equal(sheet.thumbnails, faces);
  assert.equal(readdirSync(join(out, 'thumbs')).length, faces);
  const html = (await import('node:fs')).readFileSync(sheet.index, 'utf8');
  const rowIds = [...html.matchAll(/<tr><th>(c\d+)/g)].map((m) => m[1]);
  assert.deepEqual(rowIds, r.clusters.map((c) => c.id));
  const sizes = r.clusters.map((c) => c.faces.length);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
});
