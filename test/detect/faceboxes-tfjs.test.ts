import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Box } from '../../src/face.ts';
import { decodeFaceBoxes, faceBoxes, faceBoxesAnchors, FACEBOXES_GRAPH_NMS, iou, nms } from '../../src/detect/index.ts';
import { loadImage, resizeImage, toModelTensor } from '../../src/image/index.ts';
import { getModelRecord, loadModel } from '../../src/models/index.ts';
import { packageFile } from '../../src/models/package-files.ts';
import { loadTfjsModel, maxAbsDiff, runTfjs } from '../models/tfjs-reference.ts';

/**
 * The TS post-processing against the model's own: the original TF.js graph (anchor generator,
 * decoding, NMS in its while loop) runs on TF.js's CPU backend on the very input the detector
 * builds, and its final boxes and scores must be what faceBoxes produces from the compiled heads.
 */
const record = getModelRecord('faceboxes');
const modelJson = packageFile(record.source.package, record.source.file);
const demo = 'node_modules/@vladmandic/face-api/demo';
const tfModel = loadTfjsModel(modelJson, 'cpu');

const pixels = (img: { data: Uint8Array }) => Float32Array.from(img.data);

test('anchors equal the graph\'s anchor_generator output on a non-square input (256x384)', async () => {
  const [h, w] = [256, 384];
  const out = await runTfjs(await tfModel, 'image_tensor', new Float32Array(h * w * 3).fill(128), [1, h, w, 3], ['concatenate/clip_by_value'], true);
  const ref = out.get('concatenate/clip_by_value')!;
  const mine = faceBoxesAnchors(w, h);
  assert.deepEqual(ref.dims, [mine.length / 4, 4]);
  assert.ok(maxAbsDiff(mine, ref.data) < 1e-6, `max anchor difference ${maxAbsDiff(mine, ref.data)}`);
});

/** TF.js graph outputs for one photo, boxes in the photo's pixels, plus the input the detector feeds. */
async function reference(file: string) {
  const image = await loadImage(`${demo}/${file}`);
  const { width, height } = record.input;
  const lb = await resizeImage(image, width, height, { letterbox: true, align: 'topleft' });
  const out = await runTfjs(await tfModel, 'image_tensor', pixels(lb.image), [1, height, width, 3], ['boxes', 'scores'], true);
  const b = out.get('boxes')!.data;
  const s = out.get('scores')!.data;
  const boxes = Array.from(s, (score, i) => ({
    score,
    inInput: { x: b[4 * i + 1] * width, y: b[4 * i] * height, w: (b[4 * i + 3] - b[4 * i + 1]) * width, h: (b[4 * i + 2] - b[4 * i]) * height } as Box,
  })).map((r) => ({ ...r, box: { x: r.inInput.x / lb.scaleX, y: r.inInput.y / lb.scaleY, w: r.inInput.w / lb.scaleX, h: r.inInput.h / lb.scaleY } }));
  return { image, lb, boxes };
}

function assertSameBoxes(mine: { box: Box; score: number }[], ref: { box: Box; score: number }[], what: string): void {
  for (const r of ref) {
    const best = Math.max(0, ...mine.filter((m) => Math.abs(m.score - r.score) < 0.01).map((m) => iou(m.box, r.box)));
    assert.ok(best > 0.9, `${what}: TF.js box ${JSON.stringify(r.box)} score ${r.score.toFixed(3)} has no match (best IoU ${best.toFixed(3)})`);
  }
}

for (const file of ['sample1.jpg', 'sample5.jpg']) {
  test(`${file}: decoding + NMS of the compiled heads reproduce the full TF.js graph's boxes and scores`, async () => {
    const { image, lb, boxes } = await reference(file);
    const faces = boxes.filter((b) => b.score >= 0.5);
    assert.ok(faces.length >= 3, `${file}: the reference finds ${faces.length} faces`);

    // graph settings on the raw heads: the 200-box list matches wherever scores are not negligible
    const { session } = await loadModel('faceboxes');
    const raw = await session.run({ [record.input.name]: toModelTensor(lb.image, record.input) });
    const [enc, probs] = [raw['reshaping/concat'].data as Float32Array, raw['postprocessing/Softmax'].data as Float32Array];
    const { width, height } = record.input;
    const all = nms(decodeFaceBoxes(enc, probs, faceBoxesAnchors(width, height), width, height, FACEBOXES_GRAPH_NMS.scoreThreshold), FACEBOXES_GRAPH_NMS);
    assert.equal(all.length, boxes.length, 'number of boxes after NMS');
    assertSameBoxes(all, boxes.filter((b) => b.score >= 0.1).map((b) => ({ box: b.inInput, score: b.score })), `${file} (input pixels)`);

    // the detector end to end, boxes mapped back to the photo
    const found = await faceBoxes.run(image, { scoreThreshold: 0.3, iouThreshold: FACEBOXES_GRAPH_NMS.iouThreshold });
    const clear = (s: number) => s >= 0.33; // keep off the threshold, where a 1e-4 score difference decides
    assert.equal(found.filter((f) => clear(f.score)).length, boxes.filter((b) => clear(b.score)).length, 'detections above 0.33');
    assertSameBoxes(found, boxes.filter((b) => clear(b.score)), `${file} (photo pixels)`);
  });
}
