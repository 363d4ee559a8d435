import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { databases, PG_SKIP, PG_URL } from '../gallery/pg-database.ts';
import { KNOWN_FACE_COLOR, UNKNOWN_FACE_COLOR } from '../../src/image/index.ts';
import { openGallery } from '../../src/identify/index.ts';
import { facekit } from './helpers.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
// the three faces the default detector finds in sample1.jpg (x, y, w, h)
const FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;
const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-gallery-'));
const db = join(dir, 'g.db');
const crops: string[] = [];

async function cropFace(i: number, out: string): Promise<string> {
  const [x, y, w, h] = FACES[i];
  const m = Math.round(0.6 * Math.max(w, h));
  await sharp(GROUP).extract({ left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m }).flop().resize(360).png().toFile(out);
  return out;
}

const centreIn = (b: { x: number; y: number; w: number; h: number }, i: number) => {
  const [x, y, w, h] = FACES[i];
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  return cx > x && cx < x + w && cy > y && cy < y + h;
};

function oneLineError(r: { code: number; stdout: string; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

before(async () => {
  // --dir layout: <name>/<images>
  for (const [i, name] of [[0, 'ann'], [1, 'bob']] as const) {
    mkdirSync(join(dir, 'people', name), { recursive: true });
    crops.push(await cropFace(i, join(dir, 'people', name, '1.png')));
  }
});

test('enroll --dir, identify --json with the exact shape, --draw, people list/show/rename/delete', async () => {
  let r = facekit(['enroll', '--db', db, '--dir', join(dir, 'people'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const enrolled = JSON.parse(r.stdout);
  assert.deepEqual(enrolled.enrolled.map((e: { name: string }) => e.name), ['ann', 'bob']);
  assert.deepEqual(enrolled.failed, []);
  const annId = enrolled.enrolled[0].id;
  const bobId = enrolled.enrolled[1].id;

  const drawn = join(dir, 'drawn.png');
  r = facekit(['identify', GROUP, '--db', db, '--json', '--draw', drawn]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).sort(), ['faces', 'image', 'metric', 'model', 'ms', 'threshold']);
  assert.equal(out.faces.length, 3);
  for (const f of out.faces) {
    assert.deepEqual(Object.keys(f).sort(), ['box', 'candidates', 'detector', 'landmarks5', 'match', 'quality', 'score']);
    assert.deepEqual(Object.keys(f.box).sort(), ['h', 'w', 'x', 'y']);
    if (f.match) assert.deepEqual(Object.keys(f.match).sort(), ['confidence', 'distance', 'faceId', 'name', 'personId']);
  }
  const at = (i: number) => out.faces.find((f: { box: { x: number; y: number; w: number; h: number } }) => centreIn(f.box, i));
  assert.equal(at(0).match.personId, annId);
  assert.equal(at(0).match.name, 'ann');
  assert.equal(at(1).match.personId, bobId);
  assert.equal(at(2).match, null);
  const m = await sharp(drawn).metadata();
  assert.deepEqual([m.width, m.height, m.format], [1920, 1280, 'png']);
  // recognised faces in one colour, the stranger in another: the middle of each box's left edge
  const pixels = await sharp(drawn).removeAlpha().raw().toBuffer();
  const edgeColour = (box: { x: number; y: number; w: number; h: number }) => {
    const i = 3 * (Math.round(box.y + box.h / 2) * 1920 + Math.round(box.x));
    return `#${[...pixels.subarray(i, i + 3)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  };
  assert.equal(edgeColour(at(0).box), KNOWN_FACE_COLOR);
  assert.equal(edgeColour(at(1).box), KNOWN_FACE_COLOR);
  assert.equal(edgeColour(at(2).box), UNKNOWN_FACE_COLOR);

  r = facekit(['people', 'list', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).people.map((p: { name: string; faces: number }) => [p.name, p.faces]), [['ann', 1], ['bob', 1]]);
  r = facekit(['people', 'show', annId, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).faceList[0].model, 'fr_feature');

  // --name of an existing person adds to them instead of making a second "ann"
  r = facekit(['enroll', '--db', db, '--name', 'ann', crops[0], '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).person.id, annId);

  // people are addressed by id or by name
  r = facekit(['people', 'show', 'ann', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).id, annId);
  assert.equal(facekit(['people', 'rename', 'ann', 'Ann Smith', '--db', db]).code, 0);
  r = facekit(['people', 'delete', 'bob', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`deleted bob \\(${bobId}\\)`));
  r = facekit(['identify', GROUP, '--db', db, '--json']);
  const after = JSON.parse(r.stdout);
  const at2 = (i: number) => after.faces.find((f: { box: { x: number; y: number; w: number; h: number } }) => centreIn(f.box, i));
  assert.equal(at2(0).match.name, 'Ann Smith');
  assert.equal(at2(1).match, null);

  // export / import round trip into a fresh gallery
  const file = join(dir, 'export.jsonl');
  assert.equal(facekit(['people', 'export', file, '--db', db]).code, 0);
  assert.ok(readFileSync(file, 'utf8').includes('"facekit-gallery"'));
  const db2 = join(dir, 'g2.db');
  r = facekit(['people', 'import', file, '--db', db2]);
  assert.equal(r.code, 0, r.stderr);
  r = facekit(['people', 'list', '--db', db2, '--json']);
  assert.deepEqual(JSON.parse(r.stdout).people.map((p: { id: string; name: string; faces: number }) => [p.id, p.name, p.faces]), [[annId, 'Ann Smith', 2]]);
});

test('errors: exit 2 and one line for unknown person, no face, corrupt image, missing --db', async () => {
  const errDb = join(dir, 'err.db');
  const blank = join(dir, 'blank.png');
  await sharp({ create: { width: 300, height: 300, channels: 3, background: '#777' } }).png().toFile(blank);
  const corrupt = join(dir, 'corrupt.jpg');
  writeFileSync(corrupt, 'this is not an image');
  oneLineError(facekit(['people', 'show', 'nobody-here', '--db', errDb]), /nobody-here.*NOT_FOUND/);
  oneLineError(facekit(['people', 'delete', 'nobody-here', '--db', errDb]), /nobody-here.*NOT_FOUND/);
  // a name two people share: the error lists both ids, and nothing is changed
  const g = await openGallery(errDb);
  const twins = [await g.createPerson('Twin'), await g.createPerson('Twin')];
  await g.close();
  for (const args of [['show', 'Twin'], ['rename', 'Twin', 'Solo'], ['delete', 'Twin']]) {
    const err = facekit(['people', ...args, '--db', errDb]);
    oneLineError(err, /2 people are named Twin.*CONFLICT/);
    for (const t of twins) assert.ok(err.stderr.includes(t.id), `${args[0]}: ${err.stderr}`);
  }
  oneLineError(facekit(['enroll', '--db', errDb, '--name', 'Twin', crops[0]]), /2 people are named Twin.*CONFLICT/);
  const twinsLeft = JSON.parse(facekit(['people', 'list', '--db', errDb, '--json']).stdout).people;
  assert.deepEqual(twinsLeft.map((p: { name: string; faces: number }) => [p.name, p.faces]), [['Twin', 0], ['Twin', 0]]);
  for (const t of twins) assert.equal(facekit(['people', 'delete', t.id, '--db', errDb]).code, 0);
  oneLineError(facekit(['enroll', '--db', errDb, '--person', 'nobody-here', crops[0]]), /nobody-here.*NOT_FOUND/);
  oneLineError(facekit(['enroll', '--db', errDb, '--name', 'x', crops[0], blank]), /no face found in .*blank\.png.*NO_FACE/);
  oneLineError(facekit(['enroll', '--db', errDb, '--name', 'x', GROUP]), /3 faces in .*sample1\.jpg.*MANY_FACES/);
  oneLineError(facekit(['enroll', '--db', errDb, '--name', 'x', corrupt]), /corrupt\.jpg.*BAD_IMAGE/);
  oneLineError(facekit(['identify', corrupt, '--db', errDb]), /corrupt\.jpg.*BAD_IMAGE/);
  // nothing was written by the failed enrollments
  let r = facekit(['people', 'list', '--db', errDb, '--json']);
  assert.deepEqual(JSON.parse(r.stdout).people, []);
  // --dir: a person whose photo fails is listed and skipped, the others are enrolled, exit 2
  const mixed = join(dir, 'mixed');
  mkdirSync(join(mixed, 'good'), { recursive: true });
  mkdirSync(join(mixed, 'nobody'), { recursive: true });
  await sharp(crops[0]).toFile(join(mixed, 'good', 'a.png'));
  await sharp(blank).toFile(join(mixed, 'nobody', 'a.png'));
  r = facekit(['enroll', '--db', errDb, '--dir', mixed]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /enrolled 1 of 2 people/);
  assert.match(r.stderr, /nobody not enrolled: no face found in .*nobody\/a\.png \[NO_FACE\]/);
  r = facekit(['people', 'list', '--db', errDb, '--json']);
  assert.deepEqual(JSON.parse(r.stdout).people.map((p: { name: string }) => p.name), ['good']);
  const noDb = facekit(['identify', GROUP]);
  assert.notEqual(noDb.code, 0);
  assert.match(noDb.stderr, /--db/);
  assert.ok(existsSync(errDb));
});

test('eval identify --json and calibrate --out on a small folder built from the group photo', async () => {
  // three people, two photos each (a crop and a mirrored, smaller crop of the same face)
  const ds = join(dir, 'ds');
  for (let i = 0; i < 3; i++) {
    mkdirSync(join(ds, `p${i}`), { recursive: true });
    const [x, y, w, h] = FACES[i];
    const m = Math.round(0.5 * Math.max(w, h));
    const region = { left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m };
    await sharp(GROUP).extract(region).png().toFile(join(ds, `p${i}`, 'a.png'));
    await sharp(GROUP).extract(region).flop().resize(260).png().toFile(join(ds, `p${i}`, 'b.png'));
  }
  let r = facekit(['eval', 'identify', '--dataset', ds, '--strangers', '0.34', '--seed', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  for (const k of ['rank1', 'rank5', 'fpir', 'dir', 'threshold']) assert.ok(k in s, k);
  assert.equal(s.galleryIdentities, 2);
  assert.equal(s.enrolledProbes, 2);
  assert.equal(s.strangerProbes, 2);
  assert.equal(s.rank1, 1);
  assert.equal(s.dir, 1);
  assert.equal(s.fpir, 0);

  const out = join(dir, 'cal', 'fr_feature.cosine.json');
  r = facekit(['calibrate', '--dataset', ds, '--model', 'fr_feature', '--metric', 'cosine', '--target-far', '0.1', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const cal = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(cal.model, 'fr_feature');
  assert.equal(cal.metric, 'cosine');
  assert.equal(cal.targetFar, 0.1);
  assert.deepEqual(cal.pairs, { genuine: 3, impostor: 3 });
  assert.ok(cal.threshold > 0 && cal.threshold < 1);
  assert.ok(cal.logistic.a < 0);
  oneLineError(facekit(['calibrate', '--dataset', ds, '--target-far', '2', '--out', out]), /target-far.*BAD_ARGUMENT/);
});

test('--db accepts a postgres:// URL: enroll then identify', { skip: PG_URL ? false : PG_SKIP }, async () => {
  const url = await databases(PG_URL!)();
  let r = facekit(['enroll', '--db', url, '--name', 'ann', crops[0]]);
  assert.equal(r.code, 0, r.stderr);
  r = facekit(['identify', GROUP, '--db', url, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const faces = JSON.parse(r.stdout).faces;
  assert.deepEqual(faces.filter((f: { match: unknown }) => f.match).map((f: { match: { name: string } }) => f.match.name), ['ann']);
  assert.ok(centreIn(faces.find((f: { match: unknown }) => f.match).box, 0));
});
