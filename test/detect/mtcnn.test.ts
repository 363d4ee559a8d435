import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFaces, detectMtcnn, iou, mtcnnNms, pyramidScales, MTCNN_FACTOR } from '../../src/detect/index.ts';
import { loadImage } from '../../src/image/index.ts';

const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

test('the P-Net pyramid starts at 12/minFace, shrinks by the factor and stops before windows exceed the image', () => {
  const s = pyramidScales(480);
  assert.equal(s[0], 12 / 20);
  for (let i = 1; i < s.length; i++) assert.ok(Math.abs(s[i] / s[i - 1] - MTCNN_FACTOR) < 1e-12);
  assert.ok(480 * s.at(-1)! >= 12 && 480 * s.at(-1)! * MTCNN_FACTOR < 12);
});

test("MTCNN's last NMS divides by the smaller box: a box inside a bigger one goes, which union IoU keeps", () => {
  const big = { x1: 0, y1: 0, x2: 100, y2: 100, score: 0.9 };
  const inner = { x1: 10, y1: 10, x2: 60, y2: 60, score: 0.8 };
  assert.equal(mtcnnNms([big, inner], 0.7, 'min').length, 1);
  assert.equal(mtcnnNms([big, inner], 0.7, 'union').length, 2);
});

test('MTCNN finds the three faces of the sample where fr_detect does, with five landmarks near fr_landmark\'s', async () => {
  const img = await loadImage(SAMPLE);
  const raw = await detectMtcnn(img);
  const reference = await detectFaces(img, { detector: 'fr_detect' });
  assert.equal(raw.length, 3, `found ${raw.length}`);
  for (const f of reference) {
    const m = raw.find((r) => iou(r.box, f.box) > 0.5);
    assert.ok(m, `no MTCNN box over the fr_detect face at ${f.box.x.toFixed(0)},${f.box.y.toFixed(0)}`);
    assert.equal(m.keypoints?.length, 5);
    // the order is the subject's right eye, left eye, nose, right and left mouth corner, as landmarks5
    m.keypoints!.forEach(([x, y], k) => {
      const [rx, ry] = f.landmarks5[k];
      assert.ok(Math.hypot(x - rx, y - ry) < 0.15 * f.box.w, `point ${k} is ${Math.hypot(x - rx, y - ry).toFixed(0)} px from fr_landmark's`);
    });
  }
});

test('MTCNN is a detector like the others: selectable by id, and finds nothing on a flat grey image', async () => {
  const grey = { data: new Uint8Array(320 * 240 * 3).fill(128), width: 320, height: 240 };
  assert.deepEqual(await detectFaces(grey, { detector: 'mtcnn', context: false }), []);
  const faces = await detectFaces(await loadImage(SAMPLE), { detector: 'mtcnn' });
  assert.equal(faces.length, 3);
  assert.ok(faces.every((f) => f.detector === 'mtcnn' && f.landmarks5.length === 5));
});
