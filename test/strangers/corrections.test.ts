/**
 * Corrections and cannot-link on real photos (the face-api package's sample1.jpg, three faces):
 * "not Ann" on a face changes the next identification of that face and of a re-lit copy of it;
 * two faces of one photo never get the same person; clustering splits faces of one photo apart.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { clusterRows, indexFolder } from '../../src/cluster/index.ts';
import { enroll, identify, openGallery, type Gallery } from '../../src/identify/index.ts';
import { correctClusterFace, correctPhoto } from '../../src/strangers/index.ts';
import { enrollmentPhoto, FACES, GROUP } from '../video/slideshow.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-corrections-'));
let g: Gallery;
let probe: string;
let relit: string;

before(async () => {
  g = await openGallery(join(dir, 'g.db'));
  await enroll(g, 'Ann', [await enrollmentPhoto(dir, 0)]);
  const [x, y, w, h] = FACES[0];
  const m = Math.round(0.4 * Math.max(w, h));
  probe = join(dir, 'probe.png');
  relit = join(dir, 'relit.png');
  await sharp(GROUP).extract({ left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m }).resize(300).png().toFile(probe);
  await sharp(probe).modulate({ brightness: 0.9 }).png().toFile(relit);
});

test('a correction changes the next identification, of that face and of faces nearer to it than to the person', async () => {
  assert.equal((await identify(g, probe)).faces[0].match?.name, 'Ann', 'before: the face is Ann');
  assert.equal((await identify(g, relit)).faces[0].match?.name, 'Ann');
  await correctPhoto(g, probe, 'Ann');
  const after = await identify(g, probe);
  assert.equal(after.faces[0].match, null, 'after "not Ann": unknown');
  assert.equal((await identify(g, relit)).faces[0].match, null, 'a re-lit copy of the corrected face is not given to Ann either');
  // the other faces of the group photo are no nearer to the corrected face than to Ann: unchanged candidates
  assert.ok(after.faces[0].candidates.every((c) => c.name !== 'Ann'));
});

test('cannot-link: two faces of one photo are never the same person, even with a threshold that lets every face match', async () => {
  // a gallery of its own: the correction above must not play a part here
  const fresh = await openGallery(join(dir, 'fresh.db'));
  await enroll(fresh, 'Ann', [await enrollmentPhoto(dir, 0)]);
  const r = await identify(fresh, GROUP, { threshold: 1.99 });
  await fresh.close();
  assert.ok(r.faces.length >= 3, `faces: ${r.faces.length}`);
  const named = r.faces.filter((f) => f.match);
  assert.equal(named.length, 1, `one face is Ann, got ${named.map((f) => f.match!.name).join(', ')}`);
  // and it is the nearest: the face Ann was enrolled from
  assert.ok(Math.abs(named[0].box.x - FACES[0][0]) < 40, `Ann at x ${named[0].box.x}`);
  assert.ok(r.faces.every((f) => f.candidates.length > 0), 'every face had Ann as a candidate');
});

test('cannot-link in clustering: faces of one photo never share a cluster, the rest still cluster', () => {
  // four faces along one direction (all within the threshold of each other), the first two from one photo
  const dims = 4;
  const rows = [[1, 0, 0, 0], [0.99, 0.141, 0, 0], [0.98, 0, 0.199, 0], [0, 0, 0, 1]];
  const vectors = Float32Array.from(rows.flat());
  const at = [0, 1, 2, 3];
  const free = clusterRows(vectors, dims, at, { threshold: 0.3, method: 'connected-components' });
  assert.equal(free[0], free[1], 'without the constraint the first two share a cluster');
  for (const method of ['chinese-whispers', 'connected-components', 'dbscan'] as const) {
    const l = clusterRows(vectors, dims, at, { threshold: 0.3, method, minPoints: 1, cannotLink: [7, 7, 8, 9] });
    assert.notEqual(l[0], l[1], `${method}: faces of one photo are apart`);
    assert.ok(l[2] === l[0] || l[2] === l[1], `${method}: the third face joins one of them`);
    assert.notEqual(l[3], l[0]);
  }
});

test('"not Ann" on a face of a clustered folder is a correction like one on a photo', async () => {
  const folder = join(dir, 'folder');
  const fresh = await openGallery(join(dir, 'cluster.db'));
  await enroll(fresh, 'Ann', [await enrollmentPhoto(dir, 0)]);
  const { mkdirSync, copyFileSync } = await import('node:fs');
  mkdirSync(folder);
  copyFileSync(probe, join(folder, 'probe.png'));
  const indexed = await indexFolder(folder);
  assert.equal((await identify(fresh, probe)).faces[0].match?.name, 'Ann');
  await correctClusterFace(fresh, folder, indexed.store.faces[0].id, 'Ann');
  assert.equal((await identify(fresh, relit)).faces[0].match, null, 'a face like the corrected cluster member is not Ann');
  await fresh.close();
});

test('the server decides as the library does: corrections and one person per photo in the service\'s identify', async () => {
  const { readFileSync } = await import('node:fs');
  const { createService } = await import('../../src/service/index.ts');
  const fresh = join(dir, 'service.db');
  const lib = await openGallery(fresh);
  await enroll(lib, 'Ann', [await enrollmentPhoto(dir, 0)]);
  await lib.close();
  const service = await createService({ db: fresh });
  try {
    const group = await service.identify(readFileSync(GROUP), { threshold: 1.99 });
    assert.equal(group.faces.filter((f) => f.match).length, 1, 'one face of the photo is Ann, however loose the threshold');
    assert.equal((await service.identify(readFileSync(probe), {})).faces[0].match?.name, 'Ann', 'before the correction');
    const g2 = await openGallery(fresh);
    await correctPhoto(g2, probe, 'Ann');
    await g2.close();
    assert.equal((await service.identify(readFileSync(probe), {})).faces[0].match, null, 'after "not Ann", recorded by another process');
  } finally {
    await service.close?.();
  }
});
