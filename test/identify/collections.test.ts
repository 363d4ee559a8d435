/**
 * Collections through the face pipeline: enroll and identify take the collection's model and its
 * calibration fitted on site, kept crops are written only when the collection keeps them, and a
 * collection moves to another recognizer by re-embedding those crops (real models).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fitCalibration } from '../../src/compare/index.ts';
import { storeSiteCalibration } from '../../src/gallery/index.ts';
import { enroll, identify, moveToModel, openGallery, type Gallery, type IdentifiedFace } from '../../src/identify/index.ts';
import { roundMeasure } from '../../src/rounding.ts';

const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
const FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;
const dir = mkdtempSync(join(tmpdir(), 'facekit-collections-'));
const db = join(dir, 'g.db');
const crops: string[] = [];
const opened: Gallery[] = [];
const open = async (collection?: string) => {
  const g = await openGallery(db, { collection, encryptionKey: null });
  opened.push(g);
  return g;
};

function faceAt(faces: IdentifiedFace[], i: number): IdentifiedFace {
  const [x, y, w, h] = FACES[i];
  const f = faces.find((f) => f.box.x + f.box.w / 2 > x && f.box.x + f.box.w / 2 < x + w && f.box.y + f.box.h / 2 > y && f.box.y + f.box.h / 2 < y + h);
  assert.ok(f, `no face found at face ${i}`);
  return f;
}

before(async () => {
  for (let i = 0; i < 2; i++) {
    const [x, y, w, h] = FACES[i];
    const m = Math.round(0.6 * Math.max(w, h));
    const out = join(dir, `face${i}.png`);
    await sharp(GROUP).extract({ left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m }).flop().resize(360).png().toFile(out);
    crops.push(out);
  }
});
after(async () => {
  for (const g of opened) await g.close();
  rmSync(dir, { recursive: true, force: true });
});

test('identify against a collection uses its fitted calibration; other collections keep the shipped one', async () => {
  const def = await open();
  await def.createCollection({ name: 'site' });
  const site = await open('site');
  await enroll(site, 'Ann', [crops[0]]);
  await enroll(def, 'Ann', [crops[0]]);
  const shipped = await identify(site, GROUP);
  assert.equal(faceAt(shipped.faces, 0).match?.name, 'Ann');

  // a site whose fit accepts almost nothing: the same photo is now a stranger there
  const strict = fitCalibration([0.001, 0.002, 0.003], [0.004, 0.005, 0.006, 0.007], { model: 'fr_feature', metric: 'cosine', targetFar: 0.01, dataset: 'strict site' });
  await storeSiteCalibration(site, strict, '/site/photos');
  const fitted = await identify(site, GROUP);
  assert.equal(fitted.threshold, roundMeasure(strict.threshold));
  assert.equal(faceAt(fitted.faces, 0).match, null);
  assert.equal(faceAt(fitted.faces, 0).candidates[0].name, 'Ann');
  // the default collection is not the site's
  const other = await identify(def, GROUP);
  assert.equal(other.threshold, shipped.threshold);
  assert.equal(faceAt(other.faces, 0).match?.name, 'Ann');
  // an explicit threshold still wins
  assert.equal(faceAt((await identify(site, GROUP, { threshold: shipped.threshold })).faces, 0).match?.name, 'Ann');
});

test('a collection keeps crops only when asked, and moves to another recognizer from them', async () => {
  const def = await open();
  await def.createCollection({ name: 'kept', model: 'fr_feature', settings: { keepCrops: true } });
  await def.createCollection({ name: 'bare', model: 'fr_feature' });
  const kept = await open('kept');
  const bare = await open('bare');
  for (const g of [kept, bare]) {
    await enroll(g, 'Ann', [crops[0]]);
    await enroll(g, 'Bob', [crops[1]]);
  }
  assert.deepEqual(await kept.store.cropCounts(), [{ model: 'fr_feature', faces: 2, withCrop: 2 }]);
  assert.deepEqual(await bare.store.cropCounts(), [{ model: 'fr_feature', faces: 2, withCrop: 0 }]);

  await assert.rejects(() => moveToModel(bare, 'faceapi-recognition'), (e: any) => e.code === 'CONFLICT' && /photos are needed again/.test(e.message));
  const report = await moveToModel(kept, 'faceapi-recognition');
  assert.deepEqual([report.to, report.faces], ['faceapi-recognition', 2]);
  assert.deepEqual(kept.models().map((m) => m.model), ['faceapi-recognition']);
  // identify now runs the collection's new model by default, and still knows both people
  const r = await identify(kept, GROUP);
  assert.equal(r.model, 'faceapi-recognition');
  assert.equal(faceAt(r.faces, 0).match?.name, 'Ann');
  assert.equal(faceAt(r.faces, 1).match?.name, 'Bob');
  // and enroll follows it too
  const more = await enroll(kept, 'Ann', [crops[0]]);
  assert.deepEqual(more.models, ['faceapi-recognition']);
});
