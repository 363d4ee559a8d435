import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { facekit } from './helpers.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-analyze-'));

type Pt = [number, number];
interface Out { faces: { box: { x: number; y: number; w: number; h: number }; landmarks5: Pt[]; landmarks?: Pt[]; attributes: Record<string, { value: string | number; model: string; score?: number }> }[]; ms: number }

function oneLineError(r: { code: number; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test('analyze --json: every face of three women gets age, gender, emotion, race with the model named; the laughing faces are happy', () => {
  const r = facekit(['analyze', GROUP, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  const o = JSON.parse(r.stdout) as Out;
  assert.equal(o.faces.length, 3);
  for (const f of o.faces) {
    assert.deepEqual(Object.keys(f.attributes).sort(), ['age', 'emotion', 'gender', 'race']);
    assert.equal(f.attributes.gender.value, 'female');
    assert.ok(typeof f.attributes.age.value === 'number' && f.attributes.age.value > 15 && f.attributes.age.value < 45, `age ${f.attributes.age.value}`);
    for (const a of Object.values(f.attributes)) assert.ok(a.model.length > 0);
    assert.equal(f.landmarks5.length, 5);
    assert.equal(f.landmarks, undefined, 'five points only unless --landmarks asks for more');
  }
  // faces sorted left to right: the left and right women laugh
  const byX = [...o.faces].sort((a, b) => a.box.x - b.box.x);
  assert.equal(byX[0].attributes.emotion.value, 'happy');
  assert.equal(byX[2].attributes.emotion.value, 'happy');
});

test('analyze plain text: one line per face naming its attributes, then the models; --actions limits them', () => {
  const r = facekit(['analyze', GROUP, '--actions', 'gender,eye', '--max-faces', '1']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^1 face in \d+ ms$/);
  assert.match(lines[1], /#1 x=\d+ y=\d+ w=\d+ h=\d+: gender (male|female) \d+%, eye (open|closed) \d+%; quality \d\.\d\d( \([a-z ,()]+\))?$/);
  assert.doesNotMatch(lines[1], /age|emotion|race/);
  assert.match(lines.at(-1)!, /models: gender=\S+, eye=fr_eye/);
});

test('analyze --landmarks 68 --draw: 68 points per face inside its box, and a PNG of the photo size', async () => {
  const out = join(dir, 'drawn.png');
  const r = facekit(['analyze', GROUP, '--json', '--actions', 'age', '--landmarks', '68', '--draw', out]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Out;
  for (const f of o.faces) {
    assert.equal(f.landmarks?.length, 68);
    const inside = f.landmarks!.filter(([x, y]) => x > f.box.x - 0.1 * f.box.w && x < f.box.x + 1.1 * f.box.w && y > f.box.y - 0.1 * f.box.h && y < f.box.y + 1.1 * f.box.h);
    assert.ok(inside.length >= 64, `${inside.length}/68 points near the box`);
    // iBUG order: the eye on the image's left (36-41) is left of the other one (42-47)
    assert.ok(f.landmarks![36][0] < f.landmarks![45][0]);
  }
  const m = await sharp(out).metadata();
  assert.deepEqual([m.width, m.height, m.format], [1920, 1280, 'png']);
  // the overlay changed pixels around the first face
  const [a, b] = await Promise.all([GROUP, out].map((p) => sharp(p).extract({ left: 416, top: 358, width: 185, height: 235 }).removeAlpha().raw().toBuffer()));
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) > 60) changed++;
  assert.ok(changed > 200, `${changed} pixels drawn over`);
});

test('analyze --no-detect --landmarks mesh: a face crop is one face covering the image, with 478 mesh points on it', async () => {
  const crop = join(dir, 'crop.png');
  await sharp(GROUP).extract({ left: 416, top: 358, width: 185, height: 235 }).png().toFile(crop);
  const r = facekit(['analyze', crop, '--no-detect', '--json', '--actions', 'gender', '--landmarks', 'mesh']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Out;
  assert.equal(o.faces.length, 1);
  assert.deepEqual(o.faces[0].box, { x: 0, y: 0, w: 185, h: 235 });
  assert.equal(o.faces[0].attributes.gender.value, 'female');
  const pts = o.faces[0].landmarks!;
  assert.equal(pts.length, 478);
  // the irises (468, 473) sit in the upper half, the mouth (13, 14) below them
  assert.ok(pts[468][1] < 235 / 2 && pts[473][1] < 235 / 2, `irises at ${pts[468]} ${pts[473]}`);
  assert.ok(pts[13][1] > pts[468][1] + 30);
});

test('analyze bad input: one plain line with the code, exit 2, nothing drawn', async () => {
  const blank = join(dir, 'blank.png');
  await sharp({ create: { width: 300, height: 300, channels: 3, background: '#777' } }).png().toFile(blank);
  const notImage = join(dir, 'notes.jpg');
  writeFileSync(notImage, 'not an image');
  const drawn = join(dir, 'never.png');
  oneLineError(facekit(['analyze', blank, '--draw', drawn]), /no face found.*--no-detect.*\[NO_FACE\]/);
  assert.equal(existsSync(drawn), false);
  oneLineError(facekit(['analyze', GROUP, '--actions', 'age,height']), /unknown action "height".*\[BAD_ARGUMENT\]/);
  oneLineError(facekit(['analyze', GROUP, '--landmarks', '7']), /--landmarks must be one of.*\[BAD_ARGUMENT\]/);
  oneLineError(facekit(['analyze', GROUP, '--models', 'age=fr_eye']), /does not estimate age.*\[BAD_ARGUMENT\]/);
  oneLineError(facekit(['analyze', notImage]), /\[BAD_IMAGE\]/);
});
