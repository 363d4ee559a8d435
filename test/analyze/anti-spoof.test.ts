/**
 * The anti-spoof option of verify, identify and enroll. To exercise the "judged presented" path
 * the tests use fr_liveness, which (wrongly, see bench/results/analysis.json: BPCER ~0.5) judges
 * the largest face of face-api's sample3.jpg presented with a live score near 0, and the first
 * (real) face of sample1.jpg live; the default model judges both live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSpoof } from '../../src/analyze/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { enroll, identify, openGallery } from '../../src/identify/index.ts';
import { loadAndFindFaces } from '../../src/pipeline/index.ts';
import { verify } from '../../src/verify/index.ts';

const SAMPLE = (i: number) => `node_modules/@vladmandic/face-api/demo/sample${i}.jpg`;
const dir = mkdtempSync(join(tmpdir(), 'facekit-antispoof-'));
const largest = <T extends { box: { w: number; h: number } }>(fs: T[]): T => fs.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));

test('verify: off by default; on, each face carries the spoof verdict and a spoof is a result, not an error', async () => {
  const plain = await verify(SAMPLE(3), SAMPLE(3), { threshold: 0.5 });
  assert.equal(plain.isReal, undefined);
  assert.equal(plain.faces[0].spoof, undefined);

  const r = await verify(SAMPLE(3), SAMPLE(3), { threshold: 0.5, antiSpoof: { model: 'fr_liveness' } });
  assert.equal(r.verified, true, 'the identity decision is unchanged');
  assert.equal(r.isReal, false);
  for (const f of r.faces) {
    assert.equal(f.spoof?.isReal, false);
    assert.equal(f.spoof?.model, 'fr_liveness');
    assert.ok(f.spoof!.score >= 0 && f.spoof!.score < 0.3, `live score ${f.spoof!.score}`);
  }
  // the score is checkSpoof's on the compared (largest) face
  const { image, faces } = await loadAndFindFaces(SAMPLE(3));
  const direct = await checkSpoof(image, largest(faces), { model: 'fr_liveness' });
  assert.ok(Math.abs(direct.score - r.faces[0].spoof!.score) < 1e-6);

  const live = await verify(SAMPLE(1), SAMPLE(1), { threshold: 0.5, antiSpoof: true });
  assert.equal(live.isReal, true);
  assert.ok(live.faces.every((f) => f.spoof?.isReal === true && f.spoof.score >= 0.5));
});

test('identify: every face gets its own verdict; the presented one is still identified', async () => {
  const g = await openGallery(join(dir, 'identify.db'));
  try {
    await enroll(g, 'three', [SAMPLE(3)], { allowLargest: true });
    const r = await identify(g, SAMPLE(3), { threshold: 0.5, antiSpoof: { model: 'fr_liveness' } });
    assert.equal(r.faces.length, 3);
    assert.ok(r.faces.every((f) => f.spoof && f.spoof.model === 'fr_liveness'));
    const main = largest(r.faces);
    assert.equal(main.spoof!.isReal, false);
    assert.equal(main.match?.name, 'three');
    const none = await identify(g, SAMPLE(3), { threshold: 0.5 });
    assert.ok(none.faces.every((f) => f.spoof === undefined));
  } finally {
    await g.close();
  }
});

test('enroll: a face judged presented is refused with SPOOF and nothing is written; a live one goes in', async () => {
  const g = await openGallery(join(dir, 'enroll.db'));
  try {
    await assert.rejects(
      enroll(g, 'mallory', [SAMPLE(1), SAMPLE(3)], { allowLargest: true, antiSpoof: { model: 'fr_liveness' } }),
      (e: unknown) => e instanceof FacekitError && e.code === 'SPOOF' && /sample3\.jpg looks presented.*live score 0\.\d\d.*nothing enrolled/.test(e.message),
    );
    assert.equal((await g.listPeople()).items.length, 0, 'no person created');
    const ok = await enroll(g, 'ann', [SAMPLE(1)], { allowLargest: true, antiSpoof: true });
    assert.equal(ok.photos.length, 1);
    assert.equal((await g.listPeople()).items.length, 1);
  } finally {
    await g.close();
  }
});

test('anti-spoofing on a pre-cropped face (no detection) is a clear BAD_ARGUMENT', async () => {
  await assert.rejects(
    verify(SAMPLE(1), SAMPLE(1), { detect: false, threshold: 0.5, antiSpoof: true }),
    (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /pre-cropped/.test(e.message),
  );
});
