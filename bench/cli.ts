/**
 * Start-up of what users run, as fresh processes with a warm model cache: the median wall time of
 * `facekit --version`, `facekit --help`, `facekit verify a.jpg b.jpg --json` (two 640x480 one-face
 * JPEGs cut from the face-api demo pictures, so no evaluation data is needed) and of
 * `import('facekit')` from a plain .mjs file, each against a bare `node -e 0` in the same run.
 * It runs the compiled package (bin/facekit.js -> dist/), so it builds first.
 *
 *   npx tsx bench/cli.ts [runs=9]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { packageFile } from '../src/models/package-files.ts';
import { median } from './stats.ts';

const runs = Number(process.argv[2] ?? 9);
const root = join(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const work = mkdtempSync(join(tmpdir(), 'facekit-cli-bench-'));
const photo = async (name: string, left: number, top: number) => {
  const p = join(work, name);
  await sharp(packageFile('@vladmandic/face-api', 'demo/sample1.jpg')).extract({ left, top, width: 640, height: 480 }).jpeg({ quality: 90 }).toFile(p);
  return p;
};
const a = await photo('a.jpg', 180, 230);
const b = await photo('b.jpg', 620, 300);
const importer = join(work, 'import.mjs');
writeFileSync(importer, `await import(${JSON.stringify(join(root, 'dist/index.js'))});\n`);

const bin = join(root, 'bin/facekit.js');
const cases: Record<string, string[]> = {
  'node -e 0 (baseline)': ['-e', '0'],
  'facekit --version': [bin, '--version'],
  'facekit --help': [bin, '--help'],
  "import('facekit')": [importer],
  'facekit verify a.jpg b.jpg --json': [bin, 'verify', a, b, '--json'],
};
const targets: Record<string, number> = {
  'facekit --version': 0.3, 'facekit --help': 0.3, "import('facekit')": 0.5, 'facekit verify a.jpg b.jpg --json': 1.0,
};

function run(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return s;
}

// warm the model cache (compiles on a cold cache) and the OS file cache
run(cases['facekit verify a.jpg b.jpg --json']);
const loadBefore = loadavg();
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
// interleaved, so a burst of load on the machine touches every case alike
for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) times[k].push(run(args));
const loadAfter = loadavg();

const rows = Object.entries(times).map(([name, t]) => ({
  name, medianSeconds: +median(t).toFixed(3), minSeconds: +Math.min(...t).toFixed(3), maxSeconds: +Math.max(...t).toFixed(3),
  targetSeconds: targets[name] ?? null, meetsTarget: targets[name] === undefined ? null : median(t) < targets[name],
}));
for (const r of rows) {
  console.log(`${r.name.padEnd(36)} median ${r.medianSeconds.toFixed(3)} s  (min ${r.minSeconds.toFixed(3)}, max ${r.maxSeconds.toFixed(3)})${r.targetSeconds ? `  target < ${r.targetSeconds} s: ${r.meetsTarget ? 'met' : 'NOT met'}` : ''}`);
}
console.log(`load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after; ${cpus().length} cores`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/cli.json'), `${JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, runs,
  loadAverage: { before: loadBefore, after: loadAfter }, photos: '640x480 JPEGs cut from @vladmandic/face-api demo/sample1.jpg', rows,
}, null, 2)}\n`);
