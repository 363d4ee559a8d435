/**
 * Verification pairs: sampled from a dataset folder laid out as <identity>/<images>, or read from a
 * CSV `img1,img2,same`. Paths stay relative to the dataset root (`PairList.root`), so the pairs
 * can be written out, compared and shared without the photos.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, extname, resolve } from 'node:path';
import { FacekitError } from '../errors/index.js';
import { mulberry32, randInt, shuffleInPlace, type Rng } from './prng.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.pgm', '.ppm', '.avif'];

export interface Identity {
  name: string;
  /** image paths relative to the dataset root, sorted */
  images: string[];
}

export interface Dataset {
  root: string;
  identities: Identity[];
}

export interface Pair { img1: string; img2: string; same: boolean }

export interface PairList {
  /** folder the pair paths are relative to */
  root: string;
  pairs: Pair[];
}

/** Lists <root>/<identity>/<image> (sorted, so the same folder always gives the same dataset). */
export function listDataset(root: string): Dataset {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new FacekitError('NOT_FOUND', `dataset folder not found: ${root}`);
  const identities: Identity[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const images = readdirSync(dir).filter((f) => !f.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(f).toLowerCase())).sort()
      .map((f) => `${name}/${f}`);
    if (images.length) identities.push({ name, images });
  }
  if (identities.length === 0) throw new FacekitError('BAD_ARGUMENT', `no <identity>/<image> files under ${root}`);
  return { root: resolve(root), identities };
}

export interface SampleOptions {
  seed?: number;
  /** genuine pairs drawn per identity (fewer when it has too few images); as many impostors */
  pairsPerClass?: number;
  /**
   * Draw each impostor pair within one group: the other image is drawn among images of other
   * identities with the same label as the first (demographic reports compare like with like).
   * Images without a label are not drawn for impostor pairs.
   */
  groupOf?: (image: string) => string | undefined;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}

function sampleGenuine(images: readonly string[], k: number, rng: Rng): Pair[] {
  const n = images.length;
  const combos = (n * (n - 1)) / 2;
  const out: Pair[] = [];
  if (k * 2 >= combos) {
    // dense: enumerate and shuffle
    const all: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) all.push([i, j]);
    for (const [i, j] of shuffleInPlace(all, rng).slice(0, k)) out.push({ img1: images[i], img2: images[j], same: true });
    return out;
  }
  const seen = new Set<number>();
  while (out.length < k) {
    const i = randInt(rng, n), j = randInt(rng, n);
    if (i === j) continue;
    const [a, b] = i < j ? [i, j] : [j, i];
    if (seen.has(a * n + b)) continue;
    seen.add(a * n + b);
    out.push({ img1: images[a], img2: images[b], same: true });
  }
  return out;
}

/**
 * Balanced pairs with a fixed seed: for each identity with two or more images, up to
 * `pairsPerClass` distinct genuine pairs, and exactly as many impostor pairs that pair one of its
 * images with an image of another identity chosen at random. No pair appears twice.
 */
export function samplePairs(ds: Dataset, opts: SampleOptions = {}): PairList {
  const seed = opts.seed ?? 1;
  const per = opts.pairsPerClass ?? 10;
  if (!(Number.isInteger(per) && per >= 1)) throw new FacekitError('BAD_ARGUMENT', `pairsPerClass must be a positive integer (got ${per})`);
  if (ds.identities.length < 2) throw new FacekitError('BAD_ARGUMENT', 'impostor pairs need at least two identities');
  const rng = mulberry32(seed);
  const pairs: Pair[] = [];
  const used = new Set<string>();
  const ids = ds.identities;
  const pools = opts.groupOf ? groupPools(ds, opts.groupOf) : null;
  ids.forEach((id, idx) => {
    const n = id.images.length;
    if (n < 2) return;
    const genuine = sampleGenuine(id.images, Math.min(per, (n * (n - 1)) / 2), rng);
    genuine.forEach((p) => used.add(pairKey(p.img1, p.img2)));
    const impostor: Pair[] = [];
    // bounded, so a tiny dataset cannot loop forever; balance then fails loudly below
    for (let tries = 0; impostor.length < genuine.length && tries < 1000 * genuine.length; tries++) {
      let a: string, b: string;
      if (pools) {
        a = id.images[randInt(rng, n)];
        const pool = pools.get(opts.groupOf!(a) ?? '');
        if (!pool) continue;
        const pick = pool[randInt(rng, pool.length)];
        if (pick.identity === idx) continue;
        b = pick.image;
      } else {
        let other = randInt(rng, ids.length - 1);
        if (other >= idx) other++;
        a = id.images[randInt(rng, n)];
        b = ids[other].images[randInt(rng, ids[other].images.length)];
      }
      const key = pairKey(a, b);
      if (used.has(key)) continue;
      used.add(key);
      impostor.push({ img1: a, img2: b, same: false });
    }
    // within groups a small group may offer fewer impostors than genuine pairs: its report says how many
    if (impostor.length < genuine.length && !pools) throw new FacekitError('BAD_ARGUMENT', `could not draw ${genuine.length} distinct impostor pairs for '${id.name}': dataset too small`);
    pairs.push(...genuine, ...impostor);
  });
  if (pairs.length === 0) throw new FacekitError('BAD_ARGUMENT', 'no identity has two images: no genuine pair can be formed');
  return { root: ds.root, pairs };
}

/** labelled images by label, each with its identity's index (the impostor pools of samplePairs' groupOf) */
function groupPools(ds: Dataset, groupOf: (image: string) => string | undefined): Map<string, { identity: number; image: string }[]> {
  const pools = new Map<string, { identity: number; image: string }[]>();
  ds.identities.forEach((id, identity) => {
    for (const image of id.images) {
      const g = groupOf(image);
      if (g === undefined) continue;
      if (!pools.has(g)) pools.set(g, []);
      pools.get(g)!.push({ identity, image });
    }
  });
  return pools;
}

/** one CSV line's fields, trimmed (double quotes for fields with commas; "" inside them) */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function parseSame(s: string): boolean | undefined {
  const v = s.toLowerCase();
  if (['1', 'true', 'yes', 'same', 'genuine'].includes(v)) return true;
  if (['0', 'false', 'no', 'diff', 'different', 'impostor'].includes(v)) return false;
  return undefined;
}

/**
 * Reads `img1,img2,same` (a header line is optional; same = 1/0, true/false, same/diff). Paths are
 * relative to `root`, by default the CSV's own folder.
 */
export function readPairsCsv(file: string, opts: { root?: string } = {}): PairList {
  if (!existsSync(file)) throw new FacekitError('NOT_FOUND', `pairs file not found: ${file}`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const pairs: Pair[] = [];
  lines.forEach((raw, k) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const f = parseCsvLine(line);
    const first = k === lines.findIndex((l) => l.trim() && !l.trim().startsWith('#'));
    // header: the first line, when it names the columns or its label does not read as one
    if (first && (f[0].toLowerCase() === 'img1' || (f.length === 3 && parseSame(f[2]) === undefined))) return;
    const same = f.length === 3 ? parseSame(f[2]) : undefined;
    if (same === undefined || !f[0] || !f[1]) {
      throw new FacekitError('BAD_ARGUMENT', `${file}:${k + 1}: expected img1,img2,same (same = 1/0), got '${line}'`);
    }
    pairs.push({ img1: f[0], img2: f[1], same });
  });
  if (pairs.length === 0) throw new FacekitError('BAD_ARGUMENT', `${file} holds no pairs`);
  return { root: resolve(opts.root ?? dirname(file)), pairs };
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function writePairsCsv(file: string, list: PairList): void {
  const body = list.pairs.map((p) => `${csvField(p.img1)},${csvField(p.img2)},${p.same ? 1 : 0}`).join('\n');
  writeFileSync(file, `img1,img2,same\n${body}\n`);
}

/** Every distinct image of a pair list, in first-seen order (what has to be embedded). */
export function pairImages(list: PairList): string[] {
  const seen = new Set<string>();
  for (const p of list.pairs) { seen.add(p.img1); seen.add(p.img2); }
  return [...seen];
}
