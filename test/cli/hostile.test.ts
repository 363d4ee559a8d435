/**
 * A few of the hostile corpus's worst inputs through the installed CLI (bench/hostile.ts runs them
 * all, and through the REST routes): each ends in a second with exit 2 (bad input) and one plain line, never
 * a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { jpegWithSize } from '../../bench/hostile-corpus.ts';
import { facekit } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-hostile-'));

test('gigapixel netpbm headers, an SVG bomb, a lying JPEG and a directory give one-line errors', async () => {
  const jpg = await sharp('node_modules/@vladmandic/face-api/demo/sample1.jpg').resize(640).jpeg({ quality: 60 }).toBuffer();
  const cases: [string, Buffer | null, RegExp][] = [
    ['bomb.pgm', Buffer.from('P5\n200000 200000\n255\n'), /200000x200000 .* over the limit/],
    ['bomb.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><filter id="f"><feTurbulence numOctaves="40"/></filter><rect width="100%" height="100%" filter="url(#f)"/></svg>'), /SVG, which facekit does not rasterise/],
    ['lying.jpg', jpegWithSize(jpg, 6000, 6000), /header says 6000x6000/],
    ['', null, /refused: it is a directory/],
  ];
  for (const [name, bytes, re] of cases) {
    const file = join(dir, name);
    if (bytes) writeFileSync(file, bytes);
    const t0 = performance.now();
    const r = facekit(['detect', file, '--json']);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.ok(performance.now() - t0 < 5000, `${name} took ${(performance.now() - t0).toFixed(0)} ms`);
  }
});
