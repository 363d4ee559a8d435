#!/usr/bin/env node
// Builds what users install: tsc compiles src/ to dist/ (ES modules, .d.ts, source maps), then the
// data files the code reads at run time (model records, calibrations, attribute tables) and the
// hand-written declarations are copied beside the compiled modules. `--clean` starts from an empty
// dist/ (prepack uses it so the tarball never holds a stale module).
import { cpSync, readdirSync, rmSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
if (process.argv.includes('--clean')) rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const isAsset = (f) => f.endsWith('.d.ts') || (!f.endsWith('.ts') && !f.endsWith('.md') && !f.endsWith('.gitkeep'));
let copied = 0;
(function walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!isAsset(e)) continue;
    const to = join(dist, relative(src, p));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(p, to);
    copied++;
  }
})(src);
console.log(`build: dist/ compiled, ${copied} data files copied`);

// the top-level help's manifest: every command's name, usage term and summary, so that `facekit
// --help` lists them without importing the command modules (src/cli/program.ts)
const cli = await import(new URL('../dist/cli/program.js', import.meta.url).href);
const summaries = cli.commandSummaries(await cli.fullProgram());
for (const g of cli.COMMAND_GROUPS) {
  for (const name of g.commands) {
    if (!summaries.some((s) => s.name === name)) throw new Error(`build: command table names '${name}', which no command module registers`);
  }
}
const listed = new Set(cli.COMMAND_GROUPS.flatMap((g) => g.commands));
const unlisted = summaries.filter((s) => !listed.has(s.name)).map((s) => s.name);
if (unlisted.length) throw new Error(`build: commands missing from the command table in src/cli/program.ts: ${unlisted.join(', ')}`);
writeFileSync(fileURLToPath(cli.MANIFEST_URL), `${JSON.stringify(summaries, null, 1)}\n`);
console.log(`build: ${summaries.length} command summaries -> dist/cli/commands.json`);
