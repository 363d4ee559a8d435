/**
 * Worker threads and child processes start on a sibling module. Installed, facekit is compiled
 * JavaScript and the sibling is a plain `.js` module; run from this repository's TypeScript source
 * (tests, benches) the sibling is `.ts` and must be loaded through tsx, which is a development
 * dependency only. One place decides which, so the installed package never needs tsx.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The sibling module `name` (no extension) of the module at `base` (its import.meta.url). */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${fromSource(base) ? '.ts' : '.js'}`, base);
}

function fromSource(url: string | URL): boolean {
  return new URL(url).pathname.endsWith('.ts');
}

/** A worker thread on `entry`; from source, tsx's loader is registered first (Node 20 does not
 * apply --import hooks to a worker's entry module). */
export function startModuleWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!fromSource(entry)) return new Worker(entry, { execArgv: [], ...options });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { execArgv: [], ...options, eval: true });
}

/** Node flags a child process needs to run `entry`: none when compiled, tsx's loader from source. */
export function childExecArgv(entry: URL): string[] {
  return fromSource(entry) ? ['--import', import.meta.resolve('tsx')] : [];
}
