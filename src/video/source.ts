/**
 * A video source as a stream of RGB frames: ffmpeg decodes the file, stream or camera and writes
 * raw rgb24 frames to a pipe, read here in exact frame-sized pieces.
 *
 * Load: a file is read at the consumer's pace (the pipe's back-pressure pauses ffmpeg), so no frame
 * is lost. A live source cannot wait, so only the newest frame is kept and older ones are dropped
 * (counted in `dropped`) while the consumer is busy. A rate cap (`fps`) makes ffmpeg drop frames
 * before they are converted at all.
 *
 * Failure: a source that cannot be opened is an error at open time (ffprobe, bounded by
 * `openTimeoutMs`). A live source that ends, fails or sends nothing for `stallMs` is reopened with
 * exponential back-off up to `reconnect.retries` times in a row, then the frame iterator throws.
 * Nothing waits forever.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FacekitError } from '../errors/index.js';
import type { RgbImage } from '../image/types.js';
import { ffmpegPath, inputArgs, parseSource, probeSource, requireFfmpeg, type SourceSpec } from './ffmpeg.js';

export interface ReconnectOptions {
  /** reopen attempts in a row before giving up (default 5 for live sources, 0 for files) */
  retries?: number;
  /** first wait, doubled each attempt (default 1000 ms) */
  backoffMs?: number;
  /** longest wait (default 30 s) */
  maxBackoffMs?: number;
}

export interface SourceOptions {
  /** cap on frames per second delivered (ffmpeg drops the rest) */
  fps?: number;
  /** scale frames to this size (both or neither) */
  width?: number;
  height?: number;
  /** read a file at its own frame rate, as if it were live (ffmpeg -re) */
  realtime?: boolean;
  /** keep only the newest frame while the consumer is busy (default: live sources and realtime files) */
  dropFrames?: boolean;
  reconnect?: ReconnectOptions;
  /** no bytes for this long from a running ffmpeg = the source stalled (default 10 s) */
  stallMs?: number;
  /** ffprobe must answer within this (default 15 s) */
  openTimeoutMs?: number;
  /** told about reconnects */
  onStatus?: (s: SourceStatus) => void;
}

export type SourceStatus =
  | { type: 'reconnecting'; attempt: number; retries: number; delayMs: number; reason: string }
  | { type: 'reconnected'; attempt: number };

export interface VideoFrame {
  image: RgbImage;
  /** index among the frames ffmpeg delivered (dropped ones count) */
  index: number;
  /** stream time: frame index / fps for files, time since open for live sources */
  timeMs: number;
  /** wall-clock capture time (epoch ms): open time + timeMs for files */
  wallTime: number;
}

export interface SourceInfo {
  source: string;
  kind: SourceSpec['kind'];
  live: boolean;
  width: number;
  height: number;
  /** frame rate of the delivered frames (after the cap); NaN when unknown */
  fps: number;
  /** frame rate the source declares */
  nativeFps: number;
  nativeWidth: number;
  nativeHeight: number;
}

/**
 * Read-ahead for files: ffmpeg is paused at QUEUE_HIGH decoded frames and resumed below QUEUE_LOW.
 * With detection every 3rd frame one detection lasts as long as several decodes, so ffmpeg (on the
 * other core) must be able to decode the next frames meanwhile instead of waiting paused; at
 * 1280x720 8 frames are 22 MB.
 */
const QUEUE_HIGH = 8;
const QUEUE_LOW = 4;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class VideoSource implements AsyncIterable<VideoFrame> {
  readonly info: SourceInfo;
  /** frames dropped because the consumer was busy */
  dropped = 0;
  /** frames delivered so far */
  delivered = 0;
  reconnects = 0;
  private readonly spec: SourceSpec;
  private readonly opts: SourceOptions;
  private readonly frameBytes: number;
  private readonly drop: boolean;
  private child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private queue: VideoFrame[] = [];
  private partial: Buffer | null = null;
  private filled = 0;
  private produced = 0;
  private readonly openedAt = Date.now();
  private readonly t0 = performance.now();
  private done = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private closing = false;
  private stderrTail = '';
  private lastData = 0;
  private paused = false;
  private watchdog: NodeJS.Timeout | null = null;
  private attempt = 0;

  private constructor(spec: SourceSpec, info: SourceInfo, opts: SourceOptions) {
    this.spec = spec;
    this.info = info;
    this.opts = opts;
    this.frameBytes = info.width * info.height * 3;
    this.drop = opts.dropFrames ?? (spec.live || !!opts.realtime);
  }

  static async open(source: string, opts: SourceOptions = {}): Promise<VideoSource> {
    requireFfmpeg();
    const spec = parseSource(source);
    if ((opts.width === undefined) !== (opts.height === undefined)) throw new FacekitError('BAD_ARGUMENT', 'give both width and height to scale frames, or neither');
    for (const [k, v] of [['width', opts.width], ['height', opts.height]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 16 && v <= 8192 && v % 2 === 0)) throw new FacekitError('BAD_ARGUMENT', `${k} must be an even integer in 16..8192, got ${v}`);
    }
    if (opts.fps !== undefined && !(opts.fps > 0 && opts.fps <= 240)) throw new FacekitError('BAD_ARGUMENT', `fps cap must be in (0, 240], got ${opts.fps}`);
    const probe = await probeSource(spec, { timeoutMs: opts.openTimeoutMs });
    const width = opts.width ?? probe.width;
    const height = opts.height ?? probe.height;
    const fps = opts.fps !== undefined ? (Number.isFinite(probe.fps) ? Math.min(opts.fps, probe.fps) : opts.fps) : probe.fps;
    const info: SourceInfo = {
      source, kind: spec.kind, live: spec.live, width, height, fps, nativeFps: probe.fps, nativeWidth: probe.width, nativeHeight: probe.height,
    };
    const s = new VideoSource(spec, info, opts);
    s.start();
    return s;
  }

  private ffmpegArgs(): string[] {
    const filters: string[] = [];
    if (this.opts.fps !== undefined) filters.push(`fps=${this.opts.fps}`);
    if (this.opts.width !== undefined) filters.push(`scale=${this.info.width}:${this.info.height}:flags=bilinear`);
    return [
      '-nostdin', '-hide_banner', '-loglevel', 'error',
      ...inputArgs(this.spec, { realtime: this.opts.realtime }),
      '-map', '0:v:0', '-an', '-sn',
      ...(filters.length ? ['-vf', filters.join(',')] : []),
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ];
  }

  private start(): void {
    this.stderrTail = '';
    this.partial = null;
    this.filled = 0;
    this.paused = false;
    const child = spawn(ffmpegPath(), this.ffmpegArgs(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.lastData = performance.now();
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-2000)));
    child.on('error', (e) => this.onExit(child, null, `ffmpeg could not start: ${e.message}`));
    child.on('close', (code, signal) => this.onExit(child, code, signal ? `ffmpeg ended by ${signal}` : null));
    const stallMs = this.opts.stallMs ?? 10_000;
    this.watchdog = setInterval(() => {
      if (this.paused || this.child !== child) return;
      if (performance.now() - this.lastData > stallMs) {
        this.stallReason = `no data for ${stallMs} ms`;
        child.kill('SIGKILL');
      }
    }, Math.min(1000, stallMs / 4));
    this.watchdog.unref();
  }

  private stallReason: string | null = null;

  private onData(chunk: Buffer): void {
    this.lastData = performance.now();
    let off = 0;
    while (off < chunk.length) {
      if (!this.partial) {
        this.partial = Buffer.allocUnsafe(this.frameBytes);
        this.filled = 0;
      }
      const n = Math.min(this.frameBytes - this.filled, chunk.length - off);
      chunk.copy(this.partial, this.filled, off, off + n);
      this.filled += n;
      off += n;
      if (this.filled === this.frameBytes) {
        this.push(this.partial);
        this.partial = null;
      }
    }
  }

  private push(data: Buffer): void {
    const index = this.produced++;
    // a frame flowing means the source is back: the next failure starts the back-off afresh
    if (this.attempt > 0) {
      this.opts.onStatus?.({ type: 'reconnected', attempt: this.attempt });
      this.attempt = 0;
    }
    const timeMs = this.spec.live || !Number.isFinite(this.info.fps) ? performance.now() - this.t0 : (index * 1000) / this.info.fps;
    const frame: VideoFrame = {
      image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: this.info.width, height: this.info.height },
      index,
      timeMs,
      wallTime: this.openedAt + timeMs,
    };
    this.queue.push(frame);
    if (this.drop) {
      while (this.queue.length > 1) {
        this.queue.shift();
        this.dropped++;
      }
    } else if (this.queue.length >= QUEUE_HIGH && this.child && !this.paused) {
      this.paused = true;
      this.child.stdout.pause();
    }
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private onExit(child: ChildProcessByStdio<null, Readable, Readable>, code: number | null, note: string | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.closing) {
      this.done = true;
      return this.signal();
    }
    const stalled = this.stallReason;
    this.stallReason = null;
    if (code === 0 && !this.spec.live) {
      this.done = true;
      return this.signal();
    }
    const why = stalled ?? (this.stderrTail.trim().split('\n').filter(Boolean).pop() || note || (code === 0 ? 'the stream ended' : `ffmpeg exited with code ${code}`));
    void this.retry(why);
  }

  private async retry(reason: string): Promise<void> {
    const retries = this.opts.reconnect?.retries ?? (this.spec.live ? 5 : 0);
    if (this.attempt >= retries) {
      const msg = this.produced === 0 && this.attempt === 0
        ? `video source ${this.spec.url} gave no frames: ${reason}`
        : `video source ${this.spec.url} was lost${retries ? ` after ${retries} reconnect attempt${retries > 1 ? 's' : ''}` : ''}: ${reason}`;
      this.failure = new FacekitError('NOT_FOUND', msg, { reason: 'lost', frames: this.produced });
      return this.signal();
    }
    this.attempt++;
    this.reconnects++;
    const base = this.opts.reconnect?.backoffMs ?? 1000;
    const delayMs = Math.min(base * 2 ** (this.attempt - 1), this.opts.reconnect?.maxBackoffMs ?? 30_000);
    this.opts.onStatus?.({ type: 'reconnecting', attempt: this.attempt, retries, delayMs, reason });
    await sleep(delayMs);
    if (this.closing) {
      this.done = true;
      return this.signal();
    }
    this.start();
  }

  /** the next frame, or null at the end of a file / after close() */
  async next(): Promise<VideoFrame | null> {
    for (;;) {
      const f = this.queue.shift();
      if (f) {
        if (this.paused && this.queue.length < QUEUE_LOW && this.child) {
          this.paused = false;
          this.lastData = performance.now();
          this.child.stdout.resume();
        }
        this.delivered++;
        return f;
      }
      if (this.failure) throw this.failure;
      if (this.done) return null;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<VideoFrame> {
    try {
      for (let f = await this.next(); f; f = await this.next()) yield f;
    } finally {
      this.close();
    }
  }

  /** stop ffmpeg; pending next() calls return null */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.queue = [];
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.child) this.child.kill('SIGKILL');
    else this.done = true;
    this.signal();
  }
}

export function openVideoSource(source: string, opts: SourceOptions = {}): Promise<VideoSource> {
  return VideoSource.open(source, opts);
}
