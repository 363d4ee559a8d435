import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { facekit } from './helpers.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
// the three faces the default detector finds in sample1.jpg (x, y, w, h)
const FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;
const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-train-'));
const people = join(dir, 'people');
const head = join(dir, 'head.json');
const img = (p: number, k: number) => join(people, `p${p}`, `${k}.png`);
const probe = join(dir, 'probe.png');

// a small labelled folder from one npm-shipped photo: each face is a person, seen four ways
before(async () => {
  for (let p = 0; p < FACES.length; p++) {
    mkdirSync(join(people, `p${p}`), { recursive: true });
    const [x, y, w, h] = FACES[p];
    for (let k = 0; k < 4; k++) {
      const m = Math.round((0.5 + 0.1 * k) * Math.max(w, h));
      let s = sharp(GROUP).extract({ left: x - m, top: y - m + 8 * k, width: w + 2 * m, height: h + 2 * m });
      if (k % 2) s = s.flop();
      if (k >= 2) s = s.modulate({ brightness: 0.8 + 0.3 * (k - 2) });
      await s.resize(300 + 40 * k).png().toFile(img(p, k));
    }
  }
  const [x, y, w, h] = FACES[2];
  await sharp(GROUP).extract({ left: x - 100, top: y - 90, width: w + 200, height: h + 200 }).modulate({ brightness: 1.15 }).resize(280).png().toFile(probe);
});

function oneLineError(r: { code: number; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, re);
}

test('facekit train writes a head for its base model; verify, enroll, identify and eval use it with --head', async () => {
  const t = facekit(['train', people, '--out', head, '--holdout', '0', '--epochs', '30', '--batch', '3x4', '--lr', '0.01', '--loss', 'contrastive', '--json']);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(t.stdout.trim().split('\n').length, 1, t.stdout);
  const s = JSON.parse(t.stdout);
  assert.match(s.headId, /^fr_feature\+head-[0-9a-f]{8}$/);
  assert.equal(s.images, 12);
  assert.equal(s.before, null);
  assert.ok(s.lossHistory.at(-1) < s.lossHistory[0], `loss ${s.lossHistory[0]} -> ${s.lossHistory.at(-1)}`);
  assert.match(t.stderr, /epoch 30\/30/);
  const file = JSON.parse(readFileSync(head, 'utf8'));
  assert.equal(file.metadata.baseModel, 'fr_feature');
  assert.deepEqual(file.metadata.identities, ['p0', 'p1', 'p2']);

  const same = facekit(['verify', img(0, 0), img(0, 3), '--head', head, '--json']);
  const diff = facekit(['verify', img(0, 0), img(1, 3), '--head', head, '--json']);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(diff.code, 0, diff.stderr);
  const [a, b] = [JSON.parse(same.stdout), JSON.parse(diff.stdout)];
  assert.equal(a.model, s.headId);
  assert.ok(a.distance < b.distance, `same ${a.distance}, different ${b.distance}`);
  assert.equal(a.verified, true);
  assert.equal(b.verified, false);

  const db = join(dir, 'g.db');
  const e = facekit(['enroll', '--db', db, '--dir', people, '--head', head]);
  assert.equal(e.code, 0, e.stderr);
  const id = facekit(['identify', probe, '--db', db, '--head', head, '--json']);
  assert.equal(id.code, 0, id.stderr);
  assert.equal(JSON.parse(id.stdout).faces[0].match?.name, 'p2');
  // the gallery keeps headed embeddings apart from the base model's
  oneLineError(facekit(['identify', probe, '--db', db]), /no faces embedded with model fr_feature \(it has: fr_feature\+head-/);

  const ev = facekit(['eval', 'verify', '--dataset', people, '--pairs-per-class', '3', '--head', head, '--json']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).model, s.headId);
});

test('a head on another model and a bad holdout are one-line errors', () => {
  if (!existsSync(head)) return;
  oneLineError(facekit(['verify', img(0, 0), img(0, 1), '--head', head, '--model', 'faceres']), /trained on model fr_feature, not faceres/);
  oneLineError(facekit(['train', people, '--out', join(dir, 'x.json'), '--holdout', '1.5']), /--holdout must be in \[0, 1\)/);
});
