import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Landmarks5 } from '../../src/face.ts';
import {
  averageLandmarks5, detectFaces, detectMtcnn, iou, landmarkSources, landmarkSourcesKey, landmarks5FromMesh, onetLandmarks, refineLandmarks68,
  landmarks5From68, landmarksDisagreement, LANDMARK_AGREEMENT,
} from '../../src/detect/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { limitSide, loadImage } from '../../src/image/index.ts';

const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

test('five-point sources: "+" joins sources, unknown names are a BAD_ARGUMENT, the historic source keeps its cache key', () => {
  assert.deepEqual(landmarkSources({ landmarks: 'fr_landmark+onet' }), ['fr_landmark', 'onet']);
  assert.throws(() => landmarkSources({ landmarks: 'fr_landmark+nose' }), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /nose/.test(e.message));
  assert.equal(landmarkSourcesKey({ landmarks: 'fr_landmark' }), undefined);
  assert.deepEqual(landmarkSources({}), ['fr_landmark', 'onet']);
  assert.equal(landmarkSourcesKey({ landmarks: 'fr_landmark+mesh' }), 'fr_landmark+mesh@agree0.3');
  assert.equal(landmarkSourcesKey({ landmarks: 'onet' }), 'onet');
});

test('averageLandmarks5 is the point-by-point mean; mesh points give the eyes and mouth corners ordered by x', () => {
  const a: Landmarks5 = [[0, 0], [10, 0], [5, 5], [2, 8], [8, 8]];
  const b: Landmarks5 = [[2, 2], [12, 2], [7, 7], [4, 10], [10, 10]];
  assert.deepEqual(averageLandmarks5([a, b]), [[1, 1], [11, 1], [6, 6], [3, 9], [9, 9]]);
  const mesh = Array.from({ length: 478 }, () => [0, 0, 0]);
  mesh[468] = [70, 40, 0]; // the subject's left iris, on the image's right
  mesh[473] = [30, 41, 0];
  mesh[1] = [50, 60, 0];
  mesh[61] = [35, 80, 0];
  mesh[291] = [65, 81, 0];
  assert.deepEqual(landmarks5FromMesh(mesh), [[30, 41], [70, 40], [50, 60], [35, 80], [65, 81]]);
});

test("detectFaces' five points follow the landmarks option: the detector's own (MTCNN), O-Net's on the box, averages", async () => {
  // under the detector's maxSide, so detectFaces runs MTCNN on this very image
  const img = (await limitSide(await loadImage(SAMPLE), 1000)).image;
  const own = await detectFaces(img, { detector: 'mtcnn', landmarks: 'detector' });
  const raw = await detectMtcnn(img);
  assert.equal(own.length, 3);
  for (const f of own) {
    const r = raw.find((d) => iou(d.box, f.box) > 0.99)!;
    f.landmarks5.forEach((p, i) => assert.ok(dist(p, r.keypoints![i]) < 1e-6, `point ${i} is not MTCNN's own`));
  }
  const base = await detectFaces(img, { landmarks: 'fr_landmark' });
  const both = await detectFaces(img, { landmarks: 'fr_landmark+onet' });
  assert.equal(both.length, base.length);
  for (const [k, f] of both.entries()) {
    const onet = await onetLandmarks(img, f.box);
    if (landmarksDisagreement(base[k].landmarks5, onet as Landmarks5) > LANDMARK_AGREEMENT) {
      assert.deepEqual(f.landmarks5, base[k].landmarks5, 'a disagreeing source is left out');
      continue;
    }
    f.landmarks5.forEach((p, i) => assert.ok(dist(p, [(base[k].landmarks5[i][0] + onet[i][0]) / 2, (base[k].landmarks5[i][1] + onet[i][1]) / 2]) < 1e-6));
    // both sources find the same face: O-Net's points lie near fr_landmark's
    onet.forEach((p, i) => assert.ok(dist(p, base[k].landmarks5[i]) < 0.15 * f.box.w, `O-Net point ${i} is ${dist(p, base[k].landmarks5[i]).toFixed(0)} px from fr_landmark's`));
  }
});

test('on a profile view (sample2, left face) O-Net disagrees with fr_landmark and the default keeps fr_landmark\'s points', async () => {
  const img = await loadImage('node_modules/@vladmandic/face-api/demo/sample2.jpg');
  const base = await detectFaces(img, { landmarks: 'fr_landmark' });
  const dflt = await detectFaces(img);
  const profile = base.findIndex((f) => f.box.x < 600);
  assert.ok(profile >= 0);
  assert.ok(landmarksDisagreement(base[profile].landmarks5, (await onetLandmarks(img, base[profile].box)) as Landmarks5) > LANDMARK_AGREEMENT);
  assert.deepEqual(dflt[profile].landmarks5, base[profile].landmarks5);
  // the frontal faces of the photo are averaged: their points move
  assert.ok(dflt.some((f, k) => k !== profile && dist(f.landmarks5[0], base[k].landmarks5[0]) > 0.1));
});

test('the second fr_landmark pass maps its points back to the image: they stay near the first pass on an upright face', async () => {
  const img = await loadImage(SAMPLE);
  const [face] = await detectFaces(img, { maxFaces: 1, landmarks: 'fr_landmark' });
  const eyes = dist(face.landmarks5[0], face.landmarks5[1]);
  const second = landmarks5From68(await refineLandmarks68(img, face.landmarks5));
  second.forEach((p, i) => assert.ok(dist(p, face.landmarks5[i]) < 0.2 * eyes, `point ${i} moved ${(dist(p, face.landmarks5[i]) / eyes).toFixed(2)} eye distances`));
});
