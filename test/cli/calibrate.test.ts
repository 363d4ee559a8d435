import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facekit, labelledFaces } from './helpers.ts';
import { roundMeasure } from '../../src/rounding.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-calibrate-'));
const people = join(dir, 'people');
const img = (p: number, k: number) => join(people, `p${p}`, `${k}.png`);
// the user's data directory, and a cache of its own (the default models are ONNX as shipped: nothing to compile)
const env = { XDG_DATA_HOME: join(dir, 'data'), FACEKIT_DATA_DIR: '', FACEKIT_CACHE_DIR: join(dir, 'cache') };
const fitted = join(dir, 'data', 'facekit', 'calibrations', 'fr_feature.cosine.json');
// the shipped calibrations, in the source tree and in the build bin/facekit.js runs
const SHIPPED = ['src/compare/calibrations', 'dist/compare/calibrations'];

function shippedHash(): string {
  const h = createHash('sha256');
  for (const d of SHIPPED) for (const f of readdirSync(d).sort()) h.update(join(d, f)).update(readFileSync(join(d, f)));
  return h.digest('hex');
}

// a small labelled folder from one npm-shipped photo: each face is a person, seen three ways
before(() => labelledFaces(people));
after(() => rmSync(dir, { recursive: true, force: true }));

const verifyThreshold = (): number => {
  const r = facekit(['verify', img(0, 0), img(0, 1), '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).threshold;
};

test('calibrate writes to the data directory and says where; verify then uses it; --reset goes back to the shipped one; the package is never written', () => {
  const before = shippedHash();
  const shipped = JSON.parse(readFileSync('dist/compare/calibrations/fr_feature.cosine.json', 'utf8')).threshold;

  const r = facekit(['calibrate', '--dataset', people, '--pairs-per-class', '2', '--target-far', '0.2', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.path, fitted);
  assert.deepEqual(JSON.parse(readFileSync(fitted, 'utf8')), out.calibration);
  assert.notEqual(out.calibration.threshold, shipped);
  // verify reports figures rounded as every result is (src/rounding.ts)
  assert.equal(verifyThreshold(), roundMeasure(out.calibration.threshold), 'verify reads the user\'s fit');
  assert.equal(shippedHash(), before, 'the shipped calibrations are untouched');

  const reset = facekit(['calibrate', '--reset', '--model', 'fr_feature', '--metric', 'cosine', '--json'], env);
  assert.equal(reset.code, 0, reset.stderr);
  assert.equal(JSON.parse(reset.stdout).removed, fitted);
  assert.ok(!existsSync(fitted));
  assert.equal(verifyThreshold(), roundMeasure(shipped));
  assert.equal(shippedHash(), before);
});

test('calibrate --out into the shipped folder is one line on stderr, exit 2, before any model runs, and writes nothing', () => {
  const before = shippedHash();
  const cache = join(dir, 'cache-refused');
  const r = facekit(['calibrate', '--dataset', people, '--pairs-per-class', '1', '--out', 'dist/compare/calibrations/fr_feature.cosine.json'], { ...env, FACEKIT_CACHE_DIR: cache });
  assert.equal(r.code, 2, r.stderr);
  assert.ok(!existsSync(join(cache, 'eval')), 'no image was embedded');
  assert.match(r.stderr, /shipped calibrations/);
  assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('facekit:')).length, 1, r.stderr);
  assert.equal(shippedHash(), before);
});

test('the help of --out names the data directory, not the source tree', () => {
  const r = facekit(['calibrate', '--help'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /src\/compare\/calibrations/);
  assert.match(r.stdout.replace(/\s+/g, ' '), /facekit\/calibrations\/<model>\.<metric>\.json/);
});
