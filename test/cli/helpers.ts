import { spawnSync } from 'node:child_process';

/** Runs the installed `facekit` command as a user would; returns exit code and both streams. */
export function facekit(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/facekit.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
