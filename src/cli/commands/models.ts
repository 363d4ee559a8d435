import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { ensureBuilt, isBuilt, listModels, onnxPath } from '../../models/index.js';
import { action, printJson } from '../run.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('the model registry: list, build (compile to ONNX ahead of use)');

  models
    .command('list')
    .description('print every registered model with its task, source, size and build status')
    .option('--json', 'print the registry as a JSON list')
    .action(action((opts: { json?: boolean }) => {
      const rows = listModels().map((r) => {
        const built = isBuilt(r);
        const sizeBytes = built ? statSync(onnxPath(r)).size : null;
        return { ...r, built, sizeBytes };
      });
      if (opts.json) return printJson(rows);
      const fmt = (s: string, n: number) => s.padEnd(n);
      console.log(`${fmt('id', 26)}${fmt('task', 16)}${fmt('source', 12)}${fmt('size', 10)}status`);
      for (const r of rows) {
        const size = r.sizeBytes === null ? '-' : `${(r.sizeBytes / 1e6).toFixed(1)}MB`;
        console.log(`${fmt(r.id, 26)}${fmt(r.task, 16)}${fmt(r.source.kind, 12)}${fmt(size, 10)}${r.built ? 'ready' : 'not built'}`);
      }
    }));

  models
    .command('build [ids...]')
    .description('compile models to ONNX now (default: every model) instead of on first use')
    .action(action(async (ids: string[]) => {
      const records = listModels().filter((r) => ids.length === 0 || ids.includes(r.id));
      for (const r of records) {
        const t0 = performance.now();
        const b = await ensureBuilt(r);
        console.log(`${r.id}: ${b.cached ? 'already built' : `compiled in ${((performance.now() - t0) / 1000).toFixed(1)}s`} -> ${b.path}`);
      }
    }));
}
