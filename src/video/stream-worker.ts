/**
 * One watched stream in a child process: opens the source, runs watchVideo, sends what it reports.
 * A process, not a worker thread: the gallery's vector index (usearch) does not load in a worker.
 */
import { isFacekitError } from '../errors/index.js';
import { openGallery, type Gallery } from '../identify/index.js';
import { openVideoSource, type SourceOptions } from './source.js';
import { watchVideo } from './watch.js';
import type { StreamWorkerData, WorkerMessage } from './stream-manager.js';

if (!process.send) throw new Error('stream-worker.ts runs as a child process with an IPC channel');
const data = JSON.parse(process.env.FACEKIT_STREAM ?? '{}') as StreamWorkerData;
const post = (m: WorkerMessage) => new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));

async function run(): Promise<void> {
  let gallery: Gallery | null = null;
  try {
    if (data.db && data.db !== ':memory:') gallery = await openGallery(data.db);
    const o = data.options;
    const srcOpts: SourceOptions = {
      fps: o.fps, width: o.width, height: o.height, realtime: o.realtime,
      reconnect: o.retries !== undefined ? { retries: o.retries } : undefined,
      onStatus: (status) => void post({ type: 'status', status }),
    };
    const source = await openVideoSource(o.source, srcOpts);
    process.on('message', (m: { type: string }) => {
      if (m.type === 'stop') source.close();
    });
    // the parent going away stops the watch too
    process.on('disconnect', () => source.close());
    void post({ type: 'info', info: source.info });
    let lastProgress = 0;
    const r = await watchVideo(source, {
      gallery,
      detectEvery: o.detectEvery,
      spoof: o.spoof,
      // sightings are recorded under the source as the client gave it
      source: o.source,
      onEvent: (event) => void post({ type: 'event', event }),
      onProgress: (s) => {
        const now = performance.now();
        if (now - lastProgress < 1000) return;
        lastProgress = now;
        void post({ type: 'progress', stats: { frames: s.frames, fps: s.fps, activeTracks: s.activeTracks, people: s.people, strangers: s.strangers, dropped: source.dropped } });
      },
    });
    const s = r.stats;
    await post({ type: 'ended', stats: { frames: s.frames, fps: s.fps, activeTracks: 0, people: s.people, strangers: s.strangers, dropped: source.dropped }, attendance: r.attendance });
  } catch (e) {
    await post({ type: 'failed', error: isFacekitError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) } });
  } finally {
    await gallery?.close();
  }
}

void run().then(() => process.disconnect());
