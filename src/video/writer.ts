/** An output video: raw RGB frames piped into ffmpeg, which encodes them (H.264 in MP4 by default). */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { FacekitError } from '../errors/index.js';
import type { RgbImage } from '../image/types.js';
import { ffmpegPath, requireFfmpeg } from './ffmpeg.js';

export interface VideoWriterOptions {
  width: number;
  height: number;
  fps: number;
  /** x264 preset (default veryfast: the encoder must keep up with watching) */
  preset?: string;
  crf?: number;
}

export class VideoWriter {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private readonly exited: Promise<number | null>;
  private stderr = '';
  private broken: Error | null = null;
  frames = 0;

  constructor(readonly path: string, private readonly opts: VideoWriterOptions) {
    requireFfmpeg();
    const fps = Number.isFinite(opts.fps) && opts.fps > 0 ? opts.fps : 25;
    this.child = spawn(ffmpegPath(), [
      '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${opts.width}x${opts.height}`, '-r', String(fps), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', opts.preset ?? 'veryfast', '-crf', String(opts.crf ?? 23), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', path,
    ], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.child.stdin.on('error', (e) => (this.broken = e));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.broken = e;
        resolve(-1);
      });
      this.child.on('close', (code) => resolve(code));
    });
  }

  async write(img: RgbImage): Promise<void> {
    if (img.width !== this.opts.width || img.height !== this.opts.height) {
      throw new FacekitError('BAD_ARGUMENT', `frame is ${img.width}x${img.height}, the output video ${this.opts.width}x${this.opts.height}`);
    }
    if (this.broken) throw this.failure();
    this.frames++;
    if (!this.child.stdin.write(img.data)) {
      await Promise.race([new Promise<void>((r) => this.child.stdin.once('drain', () => r())), this.exited]);
      if (this.broken || this.child.exitCode !== null) throw this.failure();
    }
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw this.failure();
  }

  private failure(): FacekitError {
    const why = this.stderr.trim().split('\n').pop() || this.broken?.message || 'ffmpeg failed';
    return new FacekitError('BAD_ARGUMENT', `cannot write video ${this.path}: ${why}`);
  }
}
