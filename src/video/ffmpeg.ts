/**
 * Where ffmpeg and ffprobe are, and what a source is. facekit uses the system ffmpeg (Debian's
 * `ffmpeg` package, 5.1): the npm packages that bundle a binary either download it at install
 * time (ffmpeg-static, which fails on an offline machine) or ship old 4.x builds. FACEKIT_FFMPEG
 * (and FACEKIT_FFPROBE, else the ffprobe beside it) point elsewhere.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FacekitError } from '../errors/index.js';

export function ffmpegPath(): string {
  return process.env.FACEKIT_FFMPEG || 'ffmpeg';
}

export function ffprobePath(): string {
  if (process.env.FACEKIT_FFPROBE) return process.env.FACEKIT_FFPROBE;
  const ff = process.env.FACEKIT_FFMPEG;
  if (ff && ff.includes('/')) return join(dirname(ff), basename(ff).replace(/ffmpeg/, 'ffprobe'));
  return 'ffprobe';
}

let available: boolean | undefined;

/** true when ffmpeg and ffprobe both run */
export function hasFfmpeg(): boolean {
  if (available === undefined) {
    const ok = (bin: string) => spawnSync(bin, ['-version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
    available = ok(ffmpegPath()) && ok(ffprobePath());
  }
  return available;
}

export function requireFfmpeg(): void {
  if (!hasFfmpeg()) {
    throw new FacekitError('NOT_FOUND', `video needs ffmpeg and ffprobe (Debian: apt-get install ffmpeg); "${ffmpegPath()}" did not run (set FACEKIT_FFMPEG to its path)`);
  }
}

export type SourceKind = 'file' | 'rtsp' | 'http' | 'device';

export interface SourceSpec {
  kind: SourceKind;
  /** what ffmpeg opens */
  url: string;
  /** live sources drop frames under load and reconnect when they drop; files do neither */
  live: boolean;
}

/** "camera", "camera:1", "/dev/video0" are devices; rtsp:// and http(s):// are streams; else a file. */
export function parseSource(source: string): SourceSpec {
  if (typeof source !== 'string' || source.trim() === '') throw new FacekitError('BAD_ARGUMENT', 'a video source is needed (a file, an rtsp:// or http(s):// URL, or camera[:N])');
  const cam = /^camera(?::(\d+))?$/.exec(source);
  if (cam) return { kind: 'device', url: `/dev/video${cam[1] ?? 0}`, live: true };
  if (/^\/dev\/video\d+$/.test(source)) return { kind: 'device', url: source, live: true };
  if (/^rtsps?:\/\//i.test(source)) return { kind: 'rtsp', url: source, live: true };
  if (/^https?:\/\//i.test(source)) return { kind: 'http', url: source, live: true };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw new FacekitError('BAD_ARGUMENT', `unsupported video source scheme in "${source}" (file, rtsp://, http(s)://, camera[:N])`);
  return { kind: 'file', url: source, live: false };
}

/** ffmpeg input arguments for a source */
export function inputArgs(spec: SourceSpec, opts: { realtime?: boolean } = {}): string[] {
  switch (spec.kind) {
    case 'rtsp':
      return ['-rtsp_transport', 'tcp', '-i', spec.url];
    case 'device':
      return ['-f', 'v4l2', '-i', spec.url];
    case 'http':
      return ['-i', spec.url];
    case 'file':
      return [...(opts.realtime ? ['-re'] : []), '-i', spec.url];
  }
}

export interface ProbeResult {
  width: number;
  height: number;
  /** frames per second, NaN when the container does not say */
  fps: number;
}

function parseRate(r: string | undefined): number {
  if (!r) return NaN;
  const [n, d] = r.split('/').map(Number);
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 && v < 1000 ? v : NaN;
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).pop() ?? '';

/** Size and frame rate of the first video stream; a source that cannot be opened in time is an error. */
export async function probeSource(spec: SourceSpec, opts: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  requireFfmpeg();
  if (spec.kind === 'file' && !existsSync(spec.url)) throw new FacekitError('NOT_FOUND', `video file not found: ${spec.url}`, { reason: 'unavailable' });
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate,avg_frame_rate:stream_side_data=rotation', '-of', 'json'];
  const input = inputArgs(spec).filter((a) => a !== '-i');
  const child = spawn(ffprobePath(), [...args, ...input], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  if (timedOut) throw new FacekitError('NOT_FOUND', `video source ${spec.url} did not answer within ${timeoutMs} ms`, { reason: 'unavailable' });
  const why = lastLine(err);
  if (code !== 0) throw new FacekitError('NOT_FOUND', `video source ${spec.url} cannot be opened${why ? `: ${why}` : ''}`, { reason: 'unavailable' });
  type Stream = { width?: number; height?: number; r_frame_rate?: string; avg_frame_rate?: string; side_data_list?: { rotation?: number }[] };
  let stream: Stream | undefined;
  try {
    stream = (JSON.parse(out) as { streams?: Stream[] }).streams?.[0];
  } catch {
    stream = undefined;
  }
  if (!stream?.width || !stream.height) throw new FacekitError('NOT_FOUND', `video source ${spec.url} has no video stream${why ? `: ${why}` : ''}`, { reason: 'unavailable' });
  // ffmpeg applies the rotation tag when decoding, so a portrait phone video comes out rotated
  const rotation = Math.abs(stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation ?? 0) % 180;
  const [width, height] = rotation === 90 ? [stream.height, stream.width] : [stream.width, stream.height];
  const fps = parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate);
  return { width, height, fps: Number.isFinite(fps) ? fps : parseRate(stream.r_frame_rate) };
}
