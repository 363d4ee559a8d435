/**
 * The collections commands as a user runs them (bin/facekit.js, real models): a collection made
 * and filled, a calibration fitted on a labelled folder kept with it and used by identify and
 * verify there (not in the default collection), eval showing both calibrations, a key limited to
 * the collection, and the collection deleted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facekit, GROUP, labelledFaces } from './helpers.ts';
import { roundMeasure } from '../../src/rounding.ts';

const dir = mkdtempSync(join(tmpdir(), 'facekit-cli-collections-'));
const people = join(dir, 'people');
const db = join(dir, 'g.db');
const img = (p: number, k: number) => join(people, `p${p}`, `${k}.png`);
const env = { XDG_DATA_HOME: join(dir, 'data'), FACEKIT_DATA_DIR: '', FACEKIT_KEYS_FILE: join(dir, 'keys.json'), FACEKIT_GALLERY_KEY: '' };

const json = (args: string[]) => {
  const r = facekit([...args, '--json'], env);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

before(() => labelledFaces(people));
after(() => rmSync(dir, { recursive: true, force: true }));

test('collections from the CLI: isolated people, a fitted calibration kept and used, a limited key, delete', () => {
  assert.equal(json(['collections', 'create', 'office', '--db', db, '--keep-crops']).settings.keepCrops, true);
  json(['enroll', img(0, 0), '--db', db, '--collection', 'office', '--name', 'Ann']);
  json(['enroll', img(1, 0), '--db', db, '--name', 'Bob']);
  assert.deepEqual(json(['people', 'list', '--db', db, '--collection', 'office']).people.map((p: { name: string }) => p.name), ['Ann']);
  assert.deepEqual(json(['people', 'list', '--db', db]).people.map((p: { name: string }) => p.name), ['Bob']);
  const missing = facekit(['people', 'list', '--db', db, '--collection', 'nope'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /collection nope not found/);

  const shipped = json(['identify', GROUP, '--db', db, '--collection', 'office']).threshold;
  const fit = json(['calibrate', people, '--db', db, '--collection', 'office', '--pairs-per-class', '2', '--target-far', '0.2']);
  const show = json(['collections', 'show', 'office', '--db', db]);
  const kept = show.settings.calibrations['fr_feature.cosine'];
  assert.equal(kept.source, people);
  assert.equal(kept.calibration.threshold, fit.calibration.threshold);
  assert.deepEqual(kept.calibration.pairs, fit.calibration.pairs);
  assert.notEqual(roundMeasure(fit.calibration.threshold), shipped);
  // identify and verify against the collection use it; the default collection keeps the shipped one
  assert.equal(json(['identify', GROUP, '--db', db, '--collection', 'office']).threshold, roundMeasure(fit.calibration.threshold));
  assert.equal(json(['identify', GROUP, '--db', db]).threshold, shipped);
  assert.equal(json(['verify', img(0, 0), img(0, 1), '--db', db, '--collection', 'office']).threshold, roundMeasure(fit.calibration.threshold));
  // eval shows both on held-out pairs
  const ev = json(['eval', 'verify', '--dataset', people, '--pairs-per-class', '1', '--seed', '7', '--db', db, '--collection', 'office']);
  assert.deepEqual(ev.calibrations.map((c: { threshold: number }) => c.threshold), [ev.calibrations[0].threshold, fit.calibration.threshold]);
  assert.match(ev.calibrations[0].label, /^shipped/);

  const key = json(['keys', 'create', '--scope', 'read,write', '--collection', 'office']);
  assert.deepEqual(key.key.collections, ['office']);

  assert.equal(facekit(['collections', 'delete', 'office', '--db', db], env).code, 2, 'needs --yes');
  const del = facekit(['collections', 'delete', 'office', '--db', db, '--yes'], env);
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stdout, /deleted collection office: 1 people, 1 faces/);
  assert.deepEqual(json(['collections', 'list', '--db', db]).collections.map((c: { name: string }) => c.name), ['default']);
  assert.deepEqual(json(['people', 'list', '--db', db]).people.map((p: { name: string }) => p.name), ['Bob']);
});
