import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calibrationPath, fitCalibration, getCalibration, listCalibrations, removeCalibration, saveCalibration, userCalibrationDir, writeCalibration,
  SHIPPED_CALIBRATIONS_DIR, type Calibration,
} from '../../src/compare/index.ts';
import { FacekitError } from '../../src/errors/index.ts';
import { gaussian, mulberry32 } from '../../src/eval/prng.ts';
import { compareEmbeddings, planVerification } from '../../src/verify/index.ts';
import { roundMeasure } from '../../src/rounding.ts';

/** One hash over every shipped calibration file's name and bytes: any write, add or delete changes it. */
function shippedHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(SHIPPED_CALIBRATIONS_DIR).sort()) h.update(f).update(readFileSync(join(SHIPPED_CALIBRATIONS_DIR, f)));
  return h.digest('hex');
}

/** Runs `fn` with the data directory at a fresh XDG_DATA_HOME (FACEKIT_DATA_DIR unset), then puts the environment back. */
function withDataHome(fn: (home: string) => void, env: Record<string, string> = {}): void {
  const saved = { XDG_DATA_HOME: process.env.XDG_DATA_HOME, FACEKIT_DATA_DIR: process.env.FACEKIT_DATA_DIR };
  const home = mkdtempSync(join(tmpdir(), 'facekit-data-'));
  process.env.XDG_DATA_HOME = home;
  delete process.env.FACEKIT_DATA_DIR;
  Object.assign(process.env, env);
  try {
    fn(home);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(home, { recursive: true, force: true });
  }
}

/** A fit on synthetic cosine distances (genuine around 0.3, impostors around 0.9): threshold near 0.6, far from the shipped 0.68. */
function syntheticFit(model: string): Calibration {
  const rng = mulberry32(7);
  const genuine = Array.from({ length: 300 }, () => 0.3 + 0.08 * gaussian(rng));
  const impostor = Array.from({ length: 3000 }, () => 0.9 + 0.08 * gaussian(rng));
  return fitCalibration(genuine, impostor, { model, metric: 'cosine', dataset: 'synthetic', targetFar: 1e-3 });
}

test('a fitted calibration goes to $XDG_DATA_HOME/facekit/calibrations, wins over the shipped one, and --reset\'s removal brings the shipped one back', () => {
  const before = shippedHash();
  const shipped = getCalibration('fr_feature', 'cosine', SHIPPED_CALIBRATIONS_DIR);
  withDataHome((home) => {
    const cal = syntheticFit('fr_feature');
    assert.notEqual(cal.threshold, shipped.threshold);
    const p = saveCalibration(cal);
    assert.equal(p, join(home, 'facekit', 'calibrations', 'fr_feature.cosine.json'));
    assert.equal(userCalibrationDir(), join(home, 'facekit', 'calibrations'));
    assert.ok(existsSync(p));

    // every later lookup, and the decisions built on it, read the user's fit
    assert.equal(calibrationPath('fr_feature', 'cosine'), p);
    assert.deepEqual(getCalibration('fr_feature', 'cosine'), cal);
    assert.equal(listCalibrations().find((c) => c.model === 'fr_feature' && c.metric === 'cosine')?.threshold, cal.threshold);
    const a = new Float32Array([1, 0]), b = new Float32Array([Math.cos(1), Math.sin(1)]);
    // decisions report their figures rounded, as every result does (src/rounding.ts)
    assert.equal(compareEmbeddings(a, b, { model: 'fr_feature', metric: 'cosine' }).threshold, roundMeasure(cal.threshold));
    assert.equal(planVerification({ model: 'fr_feature', metric: 'cosine' }).decide([0.5]).threshold, roundMeasure(cal.threshold));
    // other models and metrics still read the shipped files
    assert.equal(getCalibration('fr_feature', 'euclidean').threshold, getCalibration('fr_feature', 'euclidean', SHIPPED_CALIBRATIONS_DIR).threshold);

    assert.equal(removeCalibration('fr_feature', 'cosine'), p);
    assert.equal(removeCalibration('fr_feature', 'cosine'), undefined, 'nothing left to remove');
    assert.deepEqual(getCalibration('fr_feature', 'cosine'), shipped);
  });
  assert.equal(shippedHash(), before, 'the shipped calibrations are untouched');
});

test('FACEKIT_DATA_DIR, when set, is the data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-datadir-'));
  try {
    withDataHome(() => {
      assert.equal(saveCalibration(syntheticFit('toy')), join(dir, 'calibrations', 'toy.cosine.json'));
      assert.equal(getCalibration('toy', 'cosine').dataset, 'synthetic');
    }, { FACEKIT_DATA_DIR: dir });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the shipped calibrations folder is refused for writing and removing, however the path reaches it', () => {
  const before = shippedHash();
  const cal = syntheticFit('fr_feature');
  const link = join(mkdtempSync(join(tmpdir(), 'facekit-link-')), 'shipped');
  symlinkSync(SHIPPED_CALIBRATIONS_DIR, link);
  try {
    const refused = (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /shipped calibrations/.test(e.message);
    assert.throws(() => saveCalibration(cal, SHIPPED_CALIBRATIONS_DIR), refused);
    assert.throws(() => saveCalibration(cal, join(SHIPPED_CALIBRATIONS_DIR, '..', 'calibrations')), refused);
    assert.throws(() => saveCalibration(cal, link), refused, 'through a symlink');
    assert.throws(() => writeCalibration(cal, join(SHIPPED_CALIBRATIONS_DIR, 'mine.json')), refused);
    assert.throws(() => writeCalibration(cal, join(SHIPPED_CALIBRATIONS_DIR, 'new', 'mine.json')), refused, 'a folder inside it');
    assert.throws(() => removeCalibration('fr_feature', 'cosine', SHIPPED_CALIBRATIONS_DIR), refused);
    assert.ok(!existsSync(join(SHIPPED_CALIBRATIONS_DIR, 'new')));
  } finally { rmSync(join(link, '..'), { recursive: true, force: true }); }
  assert.equal(shippedHash(), before);
});

test('an explicit calibration comes first, then the user\'s fit, then the shipped one; one for another model is refused', () => {
  withDataHome((home) => {
    const shipped = getCalibration('fr_feature', 'cosine', SHIPPED_CALIBRATIONS_DIR);
    const threshold = (calibration?: Calibration | string) => planVerification({ model: 'fr_feature', metric: 'cosine', calibration }).decide([0.5]).threshold;
    assert.equal(threshold(), roundMeasure(shipped.threshold));
    const mine = saveCalibration(syntheticFit('fr_feature'));
    const userThreshold = getCalibration('fr_feature', 'cosine').threshold;
    assert.equal(threshold(), roundMeasure(userThreshold));

    const other = { ...syntheticFit('fr_feature'), threshold: 0.55 };
    const file = writeCalibration(other, join(home, 'elsewhere', 'other.json'));
    assert.equal(threshold(file), 0.55);
    assert.equal(threshold(other), 0.55);
    assert.equal(calibrationPath('fr_feature', 'cosine'), mine, 'writing elsewhere changes nothing a lookup reads');

    const wrong = (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT' && /toy \/ cosine, not fr_feature \/ cosine/.test(e.message);
    assert.throws(() => threshold(writeCalibration(syntheticFit('toy'), join(home, 'toy.json'))), wrong);
    assert.throws(() => threshold(join(home, 'missing.json')), (e: unknown) => e instanceof FacekitError && e.code === 'NOT_FOUND');
    writeFileSync(join(home, 'broken.json'), '{');
    assert.throws(() => threshold(join(home, 'broken.json')), (e: unknown) => e instanceof FacekitError && e.code === 'BAD_ARGUMENT');
  });
});
