import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { drawPair, drawTo } from '../../src/cli/face-options.ts';
import type { Landmarks5 } from '../../src/face.ts';
import { drawFaces, KNOWN_FACE_COLOR, UNKNOWN_FACE_COLOR } from '../../src/image/index.ts';
import type { VerifyResult } from '../../src/verify/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-draw-'));

interface Pixels { data: Buffer; width: number; height: number }

async function pixelsOf(png: Buffer | string): Promise<Pixels> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function rgbAt(p: Pixels, x: number, y: number): [number, number, number] {
  const i = 3 * (Math.round(y) * p.width + Math.round(x));
  return [p.data[i], p.data[i + 1], p.data[i + 2]];
}

function assertColour(p: Pixels, x: number, y: number, hex: string, what: string): void {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const got = rgbAt(p, x, y);
  assert.ok(got.every((v, k) => Math.abs(v - want[k]) <= 12), `${what}: ${got} at (${x}, ${y}), want ${want}`);
}

const grey = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } });

function face(x: number, y: number, w: number, h: number): { box: { x: number; y: number; w: number; h: number }; score: number; landmarks5: Landmarks5 } {
  const at = (fx: number, fy: number): [number, number] => [x + fx * w, y + fy * h];
  return { box: { x, y, w, h }, score: 0.99, landmarks5: [at(0.3, 0.4), at(0.7, 0.4), at(0.5, 0.6), at(0.35, 0.8), at(0.65, 0.8)] };
}

test('each face is drawn in its own colour: known and unknown people apart', async () => {
  const { data, info } = await grey(400, 200).raw().toBuffer({ resolveWithObject: true });
  const image = { data, width: info.width, height: info.height };
  const known = face(20, 40, 120, 120);
  const unknown = face(240, 40, 120, 120);
  const png = await drawFaces(image, [{ ...known, color: KNOWN_FACE_COLOR }, { ...unknown, color: UNKNOWN_FACE_COLOR }]);
  const p = await pixelsOf(png);
  // the middle of each box's left edge, away from labels and landmarks
  assertColour(p, known.box.x, known.box.y + known.box.h / 2, KNOWN_FACE_COLOR, 'known face box');
  assertColour(p, unknown.box.x, unknown.box.y + unknown.box.h / 2, UNKNOWN_FACE_COLOR, 'unknown face box');
  assert.notEqual(KNOWN_FACE_COLOR, UNKNOWN_FACE_COLOR);
});

test('--draw draws the five landmarks', async () => {
  const photo = join(dir, 'photo.png');
  await grey(300, 300).png().toFile(photo);
  const out = join(dir, 'drawn.png');
  const f = face(50, 50, 200, 200);
  await drawTo(out, photo, [f]);
  const p = await pixelsOf(out);
  for (const [x, y] of f.landmarks5) assertColour(p, x, y, KNOWN_FACE_COLOR, `landmark at ${x},${y}`);
  // and nothing between them: the dots are dots
  assert.deepEqual(rgbAt(p, 150, 110), [128, 128, 128]);
});

test('verify --draw: the caption of two narrow photos is widened or wrapped, never cut off', async () => {
  const paths: [string, string] = [join(dir, 'narrow1.png'), join(dir, 'narrow2.png')];
  for (const path of paths) await grey(60, 400).png().toFile(path);
  const r: VerifyResult = {
    verified: false, distance: 0.8123, threshold: 0.4321, confidence: 0.0123, model: 'fr_feature', detector: 'fr_detect', metric: 'cosine',
    faces: [face(5, 100, 50, 60), face(5, 100, 50, 60)], ms: 1,
  };
  const out = join(dir, 'pair.png');
  await drawPair(out, paths, r);
  const p = await pixelsOf(out);
  assert.ok(p.width > 120, `the canvas is widened past the two 60 px photos (${p.width} px)`);
  // the caption band: every light (text) pixel lies clear of the right edge
  let rightmost = -1;
  let lightPixels = 0;
  for (let y = 400; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const [red, green, blue] = rgbAt(p, x, y);
      if (red + green + blue > 3 * 128) {
        lightPixels++;
        rightmost = Math.max(rightmost, x);
      }
    }
  }
  assert.ok(lightPixels > 200, 'the caption is written');
  assert.ok(rightmost < p.width - 4, `text reaches column ${rightmost} of ${p.width}`);
});

test('verify --draw: photos wide enough keep the caption on one line under them', async () => {
  const paths: [string, string] = [join(dir, 'wide1.png'), join(dir, 'wide2.png')];
  for (const path of paths) writeFileSync(path, await grey(600, 400).png().toBuffer());
  const r: VerifyResult = {
    verified: true, distance: 0.1, threshold: 0.4, confidence: 0.99, model: 'fr_feature', detector: 'fr_detect', metric: 'cosine',
    faces: [face(100, 100, 200, 200), face(100, 100, 200, 200)], ms: 1,
  };
  const out = join(dir, 'pair-wide.png');
  await drawPair(out, paths, r);
  const m = await sharp(out).metadata();
  assert.equal(m.width, 1200);
  assert.ok(m.height! < 400 + 40, `one caption line (${m.height! - 400} px)`);
});
