import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { FacekitError } from '../errors/index.ts';
import { decodePgm } from './pgm.ts';

export interface IdentityFolder {
  root: string;
  /** identity names, index = label */
  names: string[];
  paths: string[];
  labels: number[];
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.pgm', '.gif', '.bmp', '.webp']);

/** A folder laid out as <identity>/<images>, in sorted order so labels are stable. */
export function listIdentityFolder(root: string): IdentityFolder {
  let dirs: string[];
  try {
    dirs = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch (e) {
    throw new FacekitError('NOT_FOUND', `cannot read dataset folder ${root}: ${(e as Error).message}`);
  }
  const names: string[] = [];
  const paths: string[] = [];
  const labels: number[] = [];
  for (const d of dirs) {
    const files = readdirSync(join(root, d)).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (files.length === 0) continue;
    const label = names.length;
    names.push(d);
    for (const f of files) {
      paths.push(join(root, d, f));
      labels.push(label);
    }
  }
  return { root, names, paths, labels };
}

/** sharp pipeline for any image here (PGM decoded by hand, since libvips here does not read it) */
function open(path: string): Sharp {
  const buf = readFileSync(path);
  if (extname(path).toLowerCase() === '.pgm') {
    const g = decodePgm(buf, path);
    return sharp(Buffer.from(g.data), { raw: { width: g.width, height: g.height, channels: 1 } });
  }
  return sharp(buf);
}

/** Grey, resized to width x height (aspect not kept), standardised per image (zero mean, unit std). */
export async function loadGreyStandardised(path: string, width: number, height: number): Promise<Float32Array> {
  const raw = await open(path).greyscale().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const ch = raw.info.channels;
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = raw.data[i * ch];
  let mean = 0;
  for (const v of out) mean += v;
  mean /= out.length;
  let sd = 0;
  for (const v of out) sd += (v - mean) ** 2;
  sd = Math.sqrt(sd / out.length) || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - mean) / sd;
  return out;
}

/** 8-bit RGB interleaved, resized to width x height (aspect not kept); grey images are replicated. */
export async function loadRgbResized(path: string, width: number, height: number): Promise<Uint8Array> {
  const raw = await open(path).resize(width, height, { fit: 'fill' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const ch = raw.info.channels;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = raw.data[i * ch + (ch >= 3 ? c : 0)];
  }
  return out;
}
