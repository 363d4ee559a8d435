/**
 * Test photos from the npm packages: face-api's sample1.jpg shows three people side by side
 * (left to right: A, B, C). Single-face crops of it are what a user would upload to enroll.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const GROUP_PHOTO = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

/** Approximate face boxes in GROUP_PHOTO (1920x1280), left to right. */
export const GROUP_FACES = [
  { x: 416, y: 358, w: 185, h: 235 },
  { x: 829, y: 429, w: 201, h: 221 },
  { x: 1460, y: 218, w: 220, h: 213 },
];

export function groupPhoto(): Buffer {
  return readFileSync(GROUP_PHOTO);
}

/** A JPEG of face `i` with some head and shoulders around it, as an enrollment photo. */
export async function faceCrop(i: number, scale = 1): Promise<Buffer> {
  const b = GROUP_FACES[i];
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const side = Math.round(Math.max(b.w, b.h) * 1.8);
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  let img = sharp(GROUP_PHOTO).extract({ left, top, width: side, height: side });
  if (scale !== 1) img = img.resize(Math.round(side * scale));
  return img.jpeg({ quality: 92 }).toBuffer();
}

/** Writes the crops of faces 0..n-1 as files into a fresh temp dir (what a browser user uploads). */
export async function faceCropFiles(n: number): Promise<{ dir: string; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-faces-'));
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = join(dir, `person-${String.fromCharCode(65 + i)}.jpg`);
    writeFileSync(f, await faceCrop(i));
    files.push(f);
  }
  return { dir, files };
}

/** A plain grey image with no face in it. */
export function blankImage(side = 200): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
}

/** Which of GROUP_FACES a detected box is (by centre distance), or -1. */
export function whichGroupFace(box: { x: number; y: number; w: number; h: number }): number {
  const c = (b: typeof box) => [b.x + b.w / 2, b.y + b.h / 2];
  const [x, y] = c(box);
  let best = -1;
  let bestD = Infinity;
  GROUP_FACES.forEach((g, i) => {
    const [gx, gy] = c(g);
    const d = Math.hypot(gx - x, gy - y);
    if (d < bestD) [best, bestD] = [i, d];
  });
  return bestD < 100 ? best : -1;
}

/**
 * A one-frame Y4M video (what Chromium's fake camera plays) of face `i` centred on a grey
 * 640x480 frame: 4:2:0 planes, full-range BT.601 like JPEG.
 */
export async function faceVideoY4m(i: number): Promise<Buffer> {
  const W = 640;
  const H = 480;
  const face = await sharp(await faceCrop(i)).resize({ height: 400 }).toBuffer();
  const { data } = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 120, g: 120, b: 120 } } })
    .composite([{ input: face, gravity: 'center' }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const y = Buffer.alloc(W * H);
  const u = Buffer.alloc((W / 2) * (H / 2));
  const v = Buffer.alloc((W / 2) * (H / 2));
  const clamp = (n: number) => Math.max(0, Math.min(255, Math.round(n)));
  for (let p = 0; p < W * H; p++) y[p] = clamp(0.299 * data[3 * p] + 0.587 * data[3 * p + 1] + 0.114 * data[3 * p + 2]);
  for (let cy = 0; cy < H / 2; cy++) {
    for (let cx = 0; cx < W / 2; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const p = 3 * ((2 * cy + dy) * W + 2 * cx + dx);
        r += data[p] / 4;
        g += data[p + 1] / 4;
        b += data[p + 2] / 4;
      }
      u[cy * (W / 2) + cx] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      v[cy * (W / 2) + cx] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
  }
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`), Buffer.from('FRAME\n'), y, u, v]);
}
