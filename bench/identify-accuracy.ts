/**
 * One-shot 1:N identification accuracy through the real command, `facekit eval identify --json`:
 * one image per identity enrolled, the rest probes, 20% of identities held out as strangers
 * (seed 1). Reports rank-1/rank-5 and, at the calibrated threshold of (model, metric), DIR and FPIR.
 * Usage: npx tsx bench/identify-accuracy.ts            (BENCH_MODELS=fr_feature,faceres,... to choose models)
 * Writes bench/results/identify-accuracy.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.FACEKIT_DATA ?? (existsSync(join(here, '../../shared/data')) ? join(here, '../../shared/data') : '/work/shared/data');
const models = (process.env.BENCH_MODELS ?? 'fr_feature').split(',').map((s) => s.trim()).filter(Boolean);

interface Run { dataset: string; model: string; extra: string[]; note?: string }
const runs: Run[] = [];
for (const model of models) {
  runs.push({ dataset: 'celebrity-aligned', model, extra: [], note: 'calibration was fitted on this folder (pairs, not this split): threshold in-sample' });
  runs.push({ dataset: 'celebrity-aligned', model, extra: ['--no-detect'], note: 'crops taken as already aligned; threshold from the detector-path calibration' });
  runs.push({ dataset: 'orl', model, extra: [] });
}

const results: Record<string, unknown>[] = [];
for (const r of runs) {
  const dir = join(dataDir, r.dataset);
  if (!existsSync(dir)) {
    console.log(`skipped ${r.dataset}: ${dir} not present`);
    continue;
  }
  const args = ['bin/facekit.js', 'eval', 'identify', '--dataset', dir, '--model', r.model, '--strangers', '0.2', '--seed', '1', '--json', ...r.extra];
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { cwd: join(here, '..'), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (p.status !== 0) {
    console.log(`${r.dataset} ${r.model} ${r.extra.join(' ')}: failed: ${p.stderr.trim().split('\n').pop()}`);
    results.push({ dataset: r.dataset, model: r.model, options: r.extra, error: p.stderr.trim().split('\n').pop() });
    continue;
  }
  const s = JSON.parse(p.stdout);
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  console.log(`${r.dataset} ${r.model} ${r.extra.join(' ') || '(detect)'}: rank-1 ${pct(s.rank1)}, rank-5 ${pct(s.rank5)}, `
    + `at threshold ${s.threshold?.toFixed(4) ?? '-'} (${s.thresholdSource}) DIR ${pct(s.dir)} FPIR ${pct(s.fpir)}; `
    + `DIR@FPIR=1e-1 ${pct(s.dirAtFpir['0.1'])}; ${s.galleryIdentities} enrolled, ${s.enrolledProbes} + ${s.strangerProbes} stranger probes`);
  results.push({ dataset: r.dataset, options: r.extra, ...s, ...(r.note ? { note: r.note } : {}), wallSeconds: +((performance.now() - t0) / 1000).toFixed(1) });
}

const out = join(here, 'results/identify-accuracy.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({
  protocol: 'one-shot: one image per identity (drawn with the seed) enrolled, rest are probes; 20% of identities held out as strangers; seed 1',
  command: 'facekit eval identify --dataset DIR --model M --strangers 0.2 --seed 1 --json',
  date: new Date().toISOString(),
  results,
}, null, 2) + '\n');
console.log(`written ${out}`);
