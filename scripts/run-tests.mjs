#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (tsx compiles TypeScript on the fly).
// Node 20's --test takes no globs, so the file list is gathered here. Extra args are passed through
// (e.g. `npm test -- test/detect` to run one folder).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(p) {
  if (statSync(p).isFile()) { if (p.endsWith('.test.ts')) files.push(p); return; }
  for (const e of readdirSync(p).sort()) walk(join(p, e));
}
for (const r of roots.length ? roots : ['test']) walk(r);
if (files.length === 0) { console.error('no test files found'); process.exit(1); }
// an empty data directory: a calibration the developer fitted (or their gallery) must not change what the tests see
const dataHome = mkdtempSync(join(tmpdir(), 'facekit-test-data-'));
const env = { ...process.env, XDG_DATA_HOME: dataHome };
delete env.FACEKIT_DATA_DIR;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...files], { stdio: 'inherit', env });
rmSync(dataHome, { recursive: true, force: true });
process.exit(r.status ?? 1);
