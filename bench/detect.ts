/**
 * Detection benchmark on /work/shared/data/crowd: per detector, how many annotated faces are found
 * (a box containing the face's nose point), how many boxes match no face (strays), and ms/image.
 * Usage: npx tsx bench/detect.ts [--score=X] [detector ...]   (default: every registered detector at its
 * default threshold; fr_detect and faceboxes also with tiles)
 * Writes bench/results/detect.json; naming detectors re-measures their rows and keeps the others.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFaces, listDetectors } from '../src/detect/index.ts';
import { loadImage } from '../src/image/index.ts';
import type { Face } from '../src/face.ts';

const dataDir = process.env.FACEKIT_DATA ?? join(dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const crowd = existsSync(join(dataDir, 'crowd')) ? join(dataDir, 'crowd') : '/work/shared/data/crowd';
if (!existsSync(join(crowd, 'annotations.json'))) {
  console.log(`skipped: no annotated crowd photos in ${crowd}`);
  process.exit(0);
}
const ann = JSON.parse(readFileSync(join(crowd, 'annotations.json'), 'utf8')) as { images: Record<string, [number, number][]> };

const inside = (f: Face, [x, y]: [number, number]) => x >= f.box.x && x <= f.box.x + f.box.w && y >= f.box.y && y <= f.box.y + f.box.h;

/** Each nose claims at most one box (the best-scoring box containing it); leftover boxes are strays. */
function score(faces: Face[], noses: [number, number][]) {
  const used = new Set<number>();
  let found = 0;
  const missed: [number, number][] = [];
  for (const n of noses) {
    const i = faces.findIndex((f, k) => !used.has(k) && inside(f, n));
    if (i >= 0) { used.add(i); found++; } else missed.push(n);
  }
  return { found, missed, strays: faces.filter((_, k) => !used.has(k)).map((f) => ({ box: f.box, score: +f.score.toFixed(3) })) };
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const scoreArg = process.argv.find((a) => a.startsWith('--score='));
const scoreThreshold = scoreArg ? Number(scoreArg.slice(8)) : undefined;
const images = Object.keys(ann.images).sort();
const decoded = await Promise.all(images.map((f) => loadImage(join(crowd, f))));
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'detect.json');
// a run over named detectors replaces only their rows
const results: Record<string, unknown> = wanted.length > 0 && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, unknown> }).results : {};
const configs = listDetectors().filter((d) => wanted.length === 0 || wanted.includes(d.id))
  .flatMap((d) => [{ det: d, tiles: false, name: d.id }, { det: d, tiles: true, name: `${d.id}+tiles` }])
  .filter((c) => !c.tiles || c.det.id === 'fr_detect' || c.det.id === 'faceboxes');
for (const { det, tiles, name } of configs) {
  try {
    await detectFaces(decoded[0], { detector: det.id }); // warm-up: model load and session creation
  } catch (e) {
    console.log(`${name}: unavailable (${(e as Error).message})`);
    continue;
  }
  let faces = 0, found = 0, strays = 0, ms = 0;
  const perImage: Record<string, unknown> = {};
  for (let i = 0; i < images.length; i++) {
    const t = performance.now();
    const got = await detectFaces(decoded[i], { detector: det.id, tiles, scoreThreshold });
    const dt = performance.now() - t;
    const s = score(got, ann.images[images[i]]);
    faces += ann.images[images[i]].length;
    found += s.found;
    strays += s.strays.length;
    ms += dt;
    perImage[images[i]] = { faces: ann.images[images[i]].length, found: s.found, missed: s.missed, strays: s.strays, ms: Math.round(dt) };
    if (s.missed.length || s.strays.length) console.log(`  ${name} ${images[i]}: found ${s.found}/${ann.images[images[i]].length}, missed ${JSON.stringify(s.missed)}, strays ${s.strays.length}`);
  }
  const summary = { faces, found, strays, msPerImage: +(ms / images.length).toFixed(1), scoreThreshold: scoreThreshold ?? det.defaults.scoreThreshold, defaults: det.defaults, tiles };
  console.log(`${name}: found ${found}/${faces} faces, ${strays} stray boxes, ${summary.msPerImage} ms/image (includes 68-point landmarks)`);
  results[name] = { ...summary, date: new Date().toISOString(), perImage };
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ data: crowd, date: new Date().toISOString(), results }, null, 2) + '\n');
console.log(`wrote ${out}`);
