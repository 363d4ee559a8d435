/**
 * Test videos made on the spot: face crops cut from a photo the face-api package ships, shown on a
 * grey 640x360 stage at known places and times, encoded by ffmpeg (H.264) from raw frames.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import { ffmpegPath } from '../../src/video/index.ts';

export const GROUP = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
// the three faces the default detector finds in sample1.jpg (x, y, w, h)
export const FACES = [[416, 358, 185, 235], [829, 429, 201, 221], [1460, 218, 220, 213]] as const;

export const WIDTH = 640;
export const HEIGHT = 360;
export const FPS = 25;

/** Enrollment photo of face i: cut with a wide margin, mirrored and brightened (not the video's pixels). */
export async function enrollmentPhoto(dir: string, i: number): Promise<string> {
  const [x, y, w, h] = FACES[i];
  const m = Math.round(0.6 * Math.max(w, h));
  const out = join(dir, `enroll${i}.png`);
  await sharp(GROUP).extract({ left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m }).flop().resize(360).modulate({ brightness: 1.08 }).png().toFile(out);
  return out;
}

export interface Sprite {
  data: Buffer;
  width: number;
  height: number;
}

/** Face i as it appears in the video: a tighter cut, 200 px wide. */
export async function faceSprite(i: number): Promise<Sprite> {
  const [x, y, w, h] = FACES[i];
  const m = Math.round(0.3 * Math.max(w, h));
  const { data, info } = await sharp(GROUP).extract({ left: x - m, top: y - m, width: w + 2 * m, height: h + 2 * m }).resize(200).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export interface Appearance {
  sprite: Sprite;
  /** seconds, [from, to) */
  from: number;
  to: number;
  x: number;
  y: number;
  /** pixels per second the face drifts to the right */
  drift?: number;
}

function paint(frame: Buffer, s: Sprite, x0: number, y0: number): void {
  for (let y = 0; y < s.height; y++) {
    const fy = y + y0;
    if (fy < 0 || fy >= HEIGHT) continue;
    for (let x = 0; x < s.width; x++) {
      const fx = x + x0;
      if (fx < 0 || fx >= WIDTH) continue;
      s.data.copy(frame, 3 * (fy * WIDTH + fx), 3 * (y * s.width + x), 3 * (y * s.width + x) + 3);
    }
  }
}

/** Writes the slideshow and returns its path. */
export async function makeSlideshow(path: string, seconds: number, shows: Appearance[]): Promise<string> {
  const ff = spawn(ffmpegPath(), [
    '-nostdin', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', String(FPS), '-i', 'pipe:0',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', path,
  ], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((resolve, reject) => ff.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed: ${err}`)))));
  const n = Math.round(seconds * FPS);
  for (let f = 0; f < n; f++) {
    const t = f / FPS;
    const frame = Buffer.alloc(WIDTH * HEIGHT * 3, 110);
    for (const a of shows) if (t >= a.from && t < a.to) paint(frame, a.sprite, Math.round(a.x + (a.drift ?? 0) * (t - a.from)), a.y);
    if (!ff.stdin.write(frame)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
  return path;
}
