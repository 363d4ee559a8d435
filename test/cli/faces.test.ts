import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { facekit } from './helpers.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-'));

test('verify --json prints exactly one object with the documented fields', async () => {
  const a = join(dir, 'a.jpg');
  const b = join(dir, 'b.jpg');
  await sharp(GROUP).extract({ left: 300, top: 250, width: 420, height: 480 }).toFile(a);
  await sharp(GROUP).extract({ left: 300, top: 250, width: 420, height: 480 }).flop().resize(300).toFile(b);
  const r = facekit(['verify', a, b, '--json', '--threshold', '0.5']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const o = JSON.parse(lines[0]);
  for (const k of ['verified', 'distance', 'threshold', 'confidence', 'model', 'detector', 'metric', 'faces', 'ms']) assert.ok(k in o, k);
  assert.equal(o.verified, true);
  assert.equal(o.faces.length, 2);
  assert.deepEqual(Object.keys(o.faces[0].box).sort(), ['h', 'w', 'x', 'y']);
  assert.equal(o.faces[0].landmarks5.length, 5);
  assert.ok(o.confidence >= 0 && o.confidence <= 1);
});

test('detect --draw writes a PNG of the photo size', async () => {
  const out = join(dir, 'drawn.png');
  const r = facekit(['detect', GROUP, '--json', '--draw', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).faces.length, 3);
  const m = await sharp(out).metadata();
  assert.deepEqual([m.width, m.height, m.format], [1920, 1280, 'png']);
  // only the commands that draw take --draw: elsewhere it is refused, not silently ignored
  const ignored = facekit(['enroll', GROUP, '--db', join(dir, 'g.db'), '--name', 'x', '--draw', out]);
  assert.notEqual(ignored.code, 0);
  assert.match(ignored.stderr, /unknown option '--draw'/);
});

test('bad input: exit code 2 and one plain line naming the problem, no stack trace', async () => {
  const notImage = join(dir, 'notes.jpg');
  writeFileSync(notImage, 'this is not an image');
  const empty = join(dir, 'empty.png');
  writeFileSync(empty, '');
  const truncated = join(dir, 'trunc.jpg');
  const full = await sharp(GROUP).jpeg().toBuffer();
  writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 3)));
  const tiny = join(dir, 'tiny.png');
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toFile(tiny);
  const blank = join(dir, 'blank.png');
  await sharp({ create: { width: 400, height: 400, channels: 3, background: '#777' } }).png().toFile(blank);
  const huge = join(dir, 'huge.jpg');
  await sharp({ create: { width: 10000, height: 10000, channels: 3, background: '#888' } }).jpeg({ quality: 50 }).toFile(huge);
  const cases: [string[], RegExp][] = [
    [['detect', huge], /100\.0 megapixels.*IMAGE_TOO_LARGE/],
    [['detect', notImage], /BAD_IMAGE/],
    [['detect', empty], /BAD_IMAGE/],
    [['detect', truncated], /BAD_IMAGE/],
    [['detect', tiny], /BAD_IMAGE/],
    [['detect', join(dir, 'missing.jpg')], /not found/],
    [['verify', GROUP, blank, '--threshold', '0.5'], /NO_FACE.*|no face found in the second image/],
    [['represent', GROUP, '--model', 'nope'], /unknown model "nope"/],
  ];
  for (const [args, re] of cases) {
    const r = facekit(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn')).length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal(existsSync(join(dir, 'missing.jpg')), false);
});
