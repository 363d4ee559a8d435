/** A tiny <identity>/<images> folder from face-api's demo photos, for runs through the real pipeline. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO = 'node_modules/@vladmandic/face-api/demo';

/** `dir`/p0..p3, each two copies of one demo photo (a genuine pair is at distance 0); returns `dir` */
export function demoDataset(dir: string): string {
  ['sample1', 'sample2', 'sample3', 'sample6'].forEach((s, i) => {
    mkdirSync(join(dir, `p${i}`), { recursive: true });
    for (const k of [1, 2]) copyFileSync(join(DEMO, `${s}.jpg`), join(dir, `p${i}`, `${k}.jpg`));
  });
  return dir;
}
