import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import { openGallery, type Gallery } from '../../identify/index.js';
import { attendanceCsv, drawTracks, openVideoSource, VideoWriter, watchVideo, type SourceOptions, type WatchEvent, type WatchStats } from '../../video/index.js';
import { metricFrom } from '../face-options.js';
import { action } from '../run.js';

interface WatchCliOptions {
  db?: string;
  collection?: string;
  events?: string;
  attendance?: string;
  annotate?: string;
  detectEvery: string;
  fps?: string;
  size?: string;
  realtime?: boolean;
  model?: string;
  detector?: string;
  metric?: string;
  threshold?: string;
  recheck: string;
  spoof: boolean;
  retries?: string;
  quiet?: boolean;
  record: boolean;
  sourceName?: string;
  strangerThreshold?: string;
}

function num(name: string, v: string | undefined, ok: (n: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!ok(n)) throw new FacekitError('BAD_ARGUMENT', `--${name}: bad value '${v}'`);
  return n;
}

function parseSize(v: string | undefined): { width: number; height: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m) throw new FacekitError('BAD_ARGUMENT', `--size must be WIDTHxHEIGHT (e.g. 1280x720), got '${v}'`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

function statusLine(s: WatchStats, fps: number, dropped: number): string {
  return `${fps.toFixed(1)} fps | frame ${s.frames} | ${s.activeTracks} track${s.activeTracks === 1 ? '' : 's'} | people seen ${s.people}${s.strangers ? ` + ${s.strangers} stranger${s.strangers === 1 ? '' : 's'}` : ''}${dropped ? ` | dropped ${dropped}` : ''}`;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('watch a video file, an rtsp:// or http(s):// stream or a camera (camera, camera:N, /dev/videoN): track faces, name them from the gallery, write events and attendance')
    .argument('<source>', 'video file, stream URL or camera')
    .option('--db <file|url>', 'gallery of known people (without one everybody is a stranger)')
    .option('--events <out.jsonl>', 'JSON-lines events (default: standard output)')
    .option('--attendance <out.csv>', 'attendance CSV written at the end (person, first seen, last seen, frames seen)')
    .option('--annotate <out.mp4>', 'write the video with boxes, names and track ids')
    .option('--detect-every <n>', 'run the face detector on one frame in n; the tracker carries faces in between', '3')
    .option('--fps <n>', 'cap on frames per second read from the source')
    .option('--size <WxH>', 'scale frames to this size first (e.g. 1280x720)')
    .option('--realtime', 'read a file at its own pace, as if live (frames are dropped when processing lags)')
    .option('--model <id>', 'recognition model')
    .option('--detector <id>', 'face detector')
    .addOption(new Option('--metric <metric>', 'distance metric'))
    .option('--threshold <d>', 'distance threshold (default: the calibrated one)')
    .option('--recheck <ms>', 're-identify each track this often', '3000')
    .option('--no-spoof', 'skip passive anti-spoofing')
    .option('--retries <n>', 'reconnect attempts for a live source that drops (default 5)')
    .option('--quiet', 'no status line')
    .option('--collection <name>', 'the collection of --db (default: default; see facekit collections)')
    .option('--no-record', 'with --db: keep strangers for this watch only and record no sightings')
    .option('--source-name <name>', 'the name sightings are recorded under (default: the source as given)')
    .option('--stranger-threshold <d>', 'distance within which an unknown face is an earlier stranger (default: the calibrated threshold)')
    .action(action(async (source: string, o: WatchCliOptions) => {
      const detectEvery = num('detect-every', o.detectEvery, (n) => Number.isInteger(n) && n >= 1)!;
      const size = parseSize(o.size);
      const srcOpts: SourceOptions = {
        fps: num('fps', o.fps, (n) => n > 0 && n <= 240),
        ...size,
        realtime: o.realtime,
        reconnect: o.retries !== undefined ? { retries: num('retries', o.retries, (n) => Number.isInteger(n) && n >= 0) } : undefined,
        onStatus: (s) => {
          if (s.type === 'reconnecting') process.stderr.write(`\nfacekit: source dropped (${s.reason}); reconnect ${s.attempt}/${s.retries} in ${s.delayMs} ms\n`);
        },
      };
      const gallery: Gallery | null = o.db ? await openGallery(o.db, { collection: o.collection }) : null;
      let eventsOut: WriteStream | null = null;
      let writer: VideoWriter | null = null;
      try {
        const src = await openVideoSource(source, srcOpts);
        const stop = () => src.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (o.annotate) writer = new VideoWriter(o.annotate, { width: src.info.width, height: src.info.height, fps: src.info.fps });
        eventsOut = o.events ? createWriteStream(o.events) : null;
        const writeEvent = (e: WatchEvent) => {
          const line = `${JSON.stringify(e)}\n`;
          if (eventsOut) eventsOut.write(line);
          else process.stdout.write(line);
        };
        const tty = process.stderr.isTTY && !o.quiet;
        let lastStatus = 0;
        let window = { t: performance.now(), frames: 0 };
        let recentFps = 0;
        const r = await watchVideo(src, {
          gallery,
          detectEvery,
          model: o.model,
          detector: o.detector,
          metric: metricFrom(o),
          threshold: num('threshold', o.threshold, (n) => n >= 0),
          recheckMs: num('recheck', o.recheck, (n) => n >= 0),
          spoof: o.spoof,
          record: o.record,
          source: o.sourceName ?? source,
          strangerThreshold: num('stranger-threshold', o.strangerThreshold, (n) => n >= 0),
          onEvent: writeEvent,
          onFrame: writer ? async (frame, tracks) => {
            await drawTracks(frame.image, tracks);
            await writer!.write(frame.image);
          } : undefined,
          onProgress: (s) => {
            const now = performance.now();
            if (now - window.t >= 1000) {
              recentFps = ((s.frames - window.frames) * 1000) / (now - window.t);
              window = { t: now, frames: s.frames };
            }
            if (tty && now - lastStatus > 250) {
              lastStatus = now;
              process.stderr.write(`\r\x1b[K${statusLine(s, recentFps || s.fps, src.dropped)}`);
            }
          },
        });
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        if (o.attendance) writeFileSync(o.attendance, attendanceCsv(r.attendance));
        const s = r.stats;
        process.stderr.write(`${tty ? '\r\x1b[K' : ''}facekit watch: ${s.frames} frames in ${(s.elapsedMs / 1000).toFixed(1)} s (${s.fps.toFixed(1)} fps), ${s.tracks} tracks, ${s.people} people and ${s.strangers} strangers seen${src.dropped ? `, ${src.dropped} frames dropped` : ''}\n`);
      } finally {
        if (eventsOut) await new Promise<void>((r) => eventsOut!.end(() => r()));
        if (writer) await writer.close();
        if (gallery) await gallery.close();
      }
    }));
}
