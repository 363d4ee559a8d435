import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFaces, landmarks5From68, landmarkCropRegion } from '../../src/detect/index.ts';
import { loadImage } from '../../src/image/index.ts';
import type { Face, Point } from '../../src/face.ts';
import { FacekitError } from '../../src/errors/index.ts';

const demo = 'node_modules/@vladmandic/face-api/demo';
// people in each demo photo, counted by eye
const counts: Record<string, number> = { 'sample1.jpg': 3, 'sample2.jpg': 3, 'sample3.jpg': 3, 'sample4.jpg': 4, 'sample5.jpg': 5, 'sample6.jpg': 4 };

function checkFace(f: Face, w: number, h: number, name: string) {
  const { x, y, w: bw, h: bh } = f.box;
  assert.ok(x >= -bw * 0.1 && y >= -bh * 0.1 && x + bw <= w * 1.02 && y + bh <= h * 1.02, `${name}: box inside image`);
  assert.ok(bw > 50 && bw < 600 && bh / bw > 0.7 && bh / bw < 2, `${name}: box size/aspect sane ${JSON.stringify(f.box)}`);
  assert.ok(f.score > 0 && f.score <= 1);
  for (const [px, py] of f.landmarks5) assert.ok(px >= x && px <= x + bw && py >= y && py <= y + bh, `${name}: landmark inside box`);
  const [le, re, nose, lm, rm] = f.landmarks5;
  assert.ok(Math.max(le[1], re[1]) < Math.min(lm[1], rm[1]), `${name}: eyes above the mouth`);
  assert.ok(le[0] < re[0] && lm[0] < rm[0], `${name}: left points left of right points`);
  assert.ok(nose[1] > Math.min(le[1], re[1]), `${name}: nose below an eye`);
  assert.equal(f.landmarks?.length, 68);
}

for (const [file, n] of Object.entries(counts)) {
  test(`default detector finds the ${n} faces in ${file}`, async () => {
    const img = await loadImage(`${demo}/${file}`);
    const faces = await detectFaces(img);
    assert.equal(faces.length, n);
    for (const f of faces) checkFace(f, img.width, img.height, file);
    // faces do not overlap one another
    for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) {
      const a = faces[i].box, b = faces[j].box;
      const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      assert.ok(ix <= 0 || iy <= 0 || ix * iy < 0.2 * a.w * a.h, 'distinct faces');
    }
  });
}

test('maxFaces, minFaceSize and maxSide are honoured; boxes map back to full resolution', async () => {
  const img = await loadImage(`${demo}/sample5.jpg`);
  const top2 = await detectFaces(img, { maxFaces: 2 });
  assert.equal(top2.length, 2);
  assert.ok(top2[0].score >= top2[1].score);
  assert.equal((await detectFaces(img, { minFaceSize: 10_000 })).length, 0);
  const full = await detectFaces(img);
  const small = await detectFaces(img, { maxSide: 640 });
  assert.equal(small.length, full.length);
  for (const f of small) {
    const near = full.find((g) => Math.abs(g.box.x - f.box.x) < 0.15 * g.box.w && Math.abs(g.box.y - f.box.y) < 0.15 * g.box.h);
    assert.ok(near, `box ${JSON.stringify(f.box)} found at 640 px is near a full-size box`);
  }
});

test('a blank image has no faces; bad options are BAD_ARGUMENT', async () => {
  const img = { data: new Uint8Array(320 * 240 * 3).fill(128), width: 320, height: 240 };
  assert.deepEqual(await detectFaces(img), []);
  await assert.rejects(detectFaces(img, { detector: 'nope' }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /nope/.test(e.message));
  await assert.rejects(detectFaces(img, { scoreThreshold: 2 }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  await assert.rejects(detectFaces(img, { landmarkModel: 'nope' }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /landmark model "nope"/.test(e.message));
});

test('68 -> 5 reduction: eye centres are the means of points 36-41 and 42-47', () => {
  const p: Point[] = Array.from({ length: 68 }, (_, i) => [i, 2 * i]);
  const five = landmarks5From68(p);
  assert.deepEqual(five[0], [38.5, 77]);
  assert.deepEqual(five[1], [44.5, 89]);
  assert.deepEqual(five[2], [30, 60]);
  assert.deepEqual(five[3], [48, 96]);
  assert.deepEqual(five[4], [54, 108]);
});

test('landmark crop is square, side = box height, shifted inside the image', () => {
  assert.deepEqual(landmarkCropRegion({ x: 10, y: 10, w: 40, h: 50 }, 200, 200), { x: 5, y: 10, w: 50, h: 50 });
  assert.deepEqual(landmarkCropRegion({ x: -10, y: 180, w: 40, h: 40 }, 200, 200), { x: 0, y: 160, w: 40, h: 40 });
});

test('tiles find the small faces a single pass misses (Human samples grid)', async () => {
  const img = await loadImage('node_modules/@vladmandic/human/assets/samples.jpg');
  const once = await detectFaces(img);
  const tiled = await detectFaces(img, { tiles: true });
  assert.ok(tiled.length > once.length, `${tiled.length} tiled vs ${once.length} single`);
  // the grid shows ~20 faces, many hidden under drawn meshes; tiles must not invent crowds
  assert.ok(tiled.length >= 6 && tiled.length <= 20, `found ${tiled.length}`);
  for (const f of tiled) {
    assert.ok(f.box.w < 150 && f.box.h < 200, 'small faces only in this picture');
    for (const [px, py] of f.landmarks5) assert.ok(px >= f.box.x - 2 && px <= f.box.x + f.box.w + 2 && py >= f.box.y - 2 && py <= f.box.y + f.box.h + 2);
  }
  // every single-pass face is still found with tiles
  for (const f of once) assert.ok(tiled.some((g) => Math.abs(g.box.x - f.box.x) < 10 && Math.abs(g.box.y - f.box.y) < 10));
});
