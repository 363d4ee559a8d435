import { readFileSync } from 'node:fs';

/** facekit's version, from its package.json (two folders up from src/ or dist/). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
