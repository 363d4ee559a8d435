import { spawnSync } from 'node:child_process';

/** Runs the installed `facekit` command as a user would; returns exit code and both streams. */
export function facekit(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/facekit.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** the npm-shipped group photo and the three faces the default detector finds in it (x, y, w, h) */
export const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
export const GROUP_FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;

/** A small labelled folder `<people>/p<k>/<n>.png` from the group photo: each face is a person, seen three ways. */
export async function labelledFaces(people: string): Promise<void> {
  const [{ mkdirSync }, { join }, { default: sharp }] = await Promise.all([import('node:fs'), import('node:path'), import('sharp')]);
  for (let p = 0; p < GROUP_FACES.length; p++) {
    mkdirSync(join(people, `p${p}`), { recursive: true });
    const [x, y, w, h] = GROUP_FACES[p];
    for (let k = 0; k < 3; k++) {
      const m = Math.round((0.5 + 0.1 * k) * Math.max(w, h));
      let s = sharp(GROUP).extract({ left: x - m, top: y - m + 8 * k, width: w + 2 * m, height: h + 2 * m });
      if (k % 2) s = s.flop();
      await s.resize(300 + 40 * k).png().toFile(join(people, `p${p}`, `${k}.png`));
    }
  }
}
