import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectFaces } from '../../src/detect/index.ts';
import { loadImage } from '../../src/image/index.ts';

const data = '/work/shared/data';
const portraits = join(data, 'portraits');
const skip = existsSync(portraits) ? false : `evaluation photos not found in ${data} (portraits, orl, yale)`;

test('one face in each single-person portrait (240p..1080p, 32-bit PNG, partial faces), two in two_people.jpg', { skip }, async () => {
  const files = readdirSync(portraits).filter((f) => /\.(jpe?g|png)$/i.test(f));
  assert.ok(files.length >= 10);
  for (const f of files) {
    const faces = await detectFaces(await loadImage(join(portraits, f)));
    assert.equal(faces.length, f === 'two_people.jpg' ? 2 : 1, f);
  }
});

test('grey PGM (ORL) and GIF (Yale) faces decode and are detected', { skip }, async () => {
  for (const f of [join(data, 'orl/s1/1.pgm'), join(data, 'orl/s7/3.pgm'), join(data, 'yale/subject01/happy.gif'), join(data, 'yale/subject05/leftlight.gif')]) {
    const img = await loadImage(f);
    const faces = await detectFaces(img);
    assert.equal(faces.length, 1, f);
    const { w } = faces[0].box;
    assert.ok(w > img.width * 0.2, `${f}: face box is a sizeable part of the photo`);
  }
});
