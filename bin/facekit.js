#!/usr/bin/env node
// The installed command: the compiled CLI in dist/ (built by `npm run build`, and by prepack for
// the published package).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('facekit: dist/ is missing; in a checkout of the repository run `npm run build` first\n');
  process.exit(2);
}
await import(main.href);
