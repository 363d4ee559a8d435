/**
 * Boxes and labels drawn straight into an RGB frame. The image stage's drawFaces composites an
 * SVG with sharp and encodes a PNG, which costs tens of milliseconds per 720p frame; here boxes are
 * pixel writes and each distinct label is rendered once (sharp, SVG text) and then blended in.
 */
import { loadSharp } from '../image/sharp.js';
import type { Box } from '../face.js';
import { KNOWN_FACE_COLOR, UNKNOWN_FACE_COLOR } from '../image/draw.js';
import type { RgbImage } from '../image/types.js';
import type { TrackView } from './watch.js';

type Rgb = [number, number, number];

const rgbOf = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;

/** the photo commands' colours (identify --draw), so a person looks the same in a photo and a video */
const COLORS: Record<'person' | 'stranger' | 'none', Rgb> = {
  person: rgbOf(KNOWN_FACE_COLOR),
  stranger: rgbOf(UNKNOWN_FACE_COLOR),
  none: [180, 180, 180],
};

interface Label {
  data: Buffer;
  width: number;
  height: number;
}

const labels = new Map<string, Label>();
const MAX_LABELS = 512;

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function renderLabel(text: string, fontPx: number, color: Rgb): Promise<Label> {
  const sharp = await loadSharp();
  const key = `${fontPx}|${color.join(',')}|${text}`;
  const hit = labels.get(key);
  if (hit) return hit;
  const w = Math.ceil(text.length * fontPx * 0.62) + 8;
  const h = Math.ceil(fontPx * 1.35);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="rgb(${color.join(',')})"/>`
    + `<text x="4" y="${Math.round(fontPx * 1.05)}" font-family="DejaVu Sans, sans-serif" font-size="${fontPx}" fill="black">${escapeXml(text)}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const label = { data, width: info.width, height: info.height };
  if (labels.size >= MAX_LABELS) labels.delete(labels.keys().next().value!);
  labels.set(key, label);
  return label;
}

function fillRect(img: RgbImage, x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
  const { width: W, height: H, data } = img;
  const xa = Math.max(0, Math.floor(x0));
  const xb = Math.min(W, Math.ceil(x1));
  const ya = Math.max(0, Math.floor(y0));
  const yb = Math.min(H, Math.ceil(y1));
  for (let y = ya; y < yb; y++) {
    let i = 3 * (y * W + xa);
    for (let x = xa; x < xb; x++, i += 3) {
      data[i] = c[0];
      data[i + 1] = c[1];
      data[i + 2] = c[2];
    }
  }
}

export function strokeBox(img: RgbImage, b: Box, c: Rgb, t: number): void {
  fillRect(img, b.x - t, b.y - t, b.x + b.w + t, b.y, c);
  fillRect(img, b.x - t, b.y + b.h, b.x + b.w + t, b.y + b.h + t, c);
  fillRect(img, b.x - t, b.y, b.x, b.y + b.h, c);
  fillRect(img, b.x + b.w, b.y, b.x + b.w + t, b.y + b.h, c);
}

function blit(img: RgbImage, l: Label, x0: number, y0: number): void {
  const { width: W, height: H, data } = img;
  for (let y = 0; y < l.height; y++) {
    const fy = y0 + y;
    if (fy < 0 || fy >= H) continue;
    const xa = Math.max(0, -x0);
    const xb = Math.min(l.width, W - x0);
    if (xb <= xa) continue;
    data.set(l.data.subarray(3 * (y * l.width + xa), 3 * (y * l.width + xb)), 3 * (fy * W + x0 + xa));
  }
}

/** Draws every track's box and "#id name" label into the frame (in place). */
export async function drawTracks(img: RgbImage, tracks: readonly TrackView[]): Promise<void> {
  const t = Math.max(2, Math.round(Math.max(img.width, img.height) / 400));
  const fontPx = Math.max(12, t * 7);
  for (const tr of tracks) {
    const color = COLORS[tr.kind ?? 'none'];
    strokeBox(img, tr.box, color, t);
    const label = await renderLabel(`#${tr.id} ${tr.label ?? '...'}`, fontPx, color);
    const x = Math.round(tr.box.x - t);
    const above = Math.round(tr.box.y - t - label.height);
    blit(img, label, x, above >= 0 ? above : Math.round(tr.box.y + tr.box.h + t));
  }
}
