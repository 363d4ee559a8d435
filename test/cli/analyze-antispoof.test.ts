/**
 * --anti-spoof / --spoof-model on verify, identify and enroll. fr_liveness judges the largest face
 * of face-api's sample3.jpg presented (see test/analyze/anti-spoof.test.ts), which gives a
 * deterministic "presented" case; the default model judges sample1's faces live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facekit } from './helpers.ts';

const SAMPLE = (i: number) => `node_modules/@vladmandic/face-api/demo/sample${i}.jpg`;
const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-antispoof-'));

test('verify --spoof-model: a presented face is reported (exit 0), not an error; without the option no verdict', () => {
  const r = facekit(['verify', SAMPLE(3), SAMPLE(3), '--threshold', '0.5', '--spoof-model', 'fr_liveness']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^SAME person/);
  assert.match(r.stdout, /anti-spoofing: a face looks PRESENTED.*first PRESENTED \(live score 0\.\d\d, fr_liveness\)/);
  const j = facekit(['verify', SAMPLE(1), SAMPLE(1), '--threshold', '0.5', '--anti-spoof', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const o = JSON.parse(j.stdout);
  assert.equal(o.isReal, true);
  assert.equal(o.faces[0].spoof.isReal, true);
  assert.ok(o.faces[0].spoof.score > 0.5 && o.faces[0].spoof.score <= 1);
});

test('enroll --spoof-model refuses a presented face (SPOOF, one line, gallery empty); identify --anti-spoof reports a verdict per face', () => {
  const db = join(dir, 'g.db');
  let r = facekit(['enroll', SAMPLE(3), '--allow-largest', '--name', 'x', '--db', db, '--spoof-model', 'fr_liveness']);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /looks presented.*nothing enrolled \[SPOOF\]/);
  r = facekit(['people', 'list', '--db', db]);
  assert.match(r.stdout, /no people in the gallery/);

  r = facekit(['enroll', SAMPLE(3), '--allow-largest', '--name', 'x', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  r = facekit(['identify', SAMPLE(3), '--db', db, '--threshold', '0.5', '--spoof-model', 'fr_liveness', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const faces = JSON.parse(r.stdout).faces as { box: { w: number; h: number }; match: { name: string } | null; spoof: { isReal: boolean; model: string } }[];
  assert.equal(faces.length, 3);
  const main = faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
  assert.equal(main.match?.name, 'x');
  assert.equal(main.spoof.isReal, false);
  assert.ok(faces.every((f) => f.spoof.model === 'fr_liveness'));
});
