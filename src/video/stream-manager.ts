/**
 * Streams watched by a long-running process (the REST server): each in its own child process, so
 * decoding, inference and tracking never block request handling. Every stream keeps its recent
 * messages (events, status changes, figures) so a client that connects late, or reconnects, gets
 * them replayed from the id it last saw.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FacekitError, type ErrorCode } from '../errors/index.js';
import type { AttendanceRow } from './attendance.js';
import type { WatchEvent } from './events.js';
import type { SourceInfo, SourceStatus } from './source.js';
import { childExecArgv, siblingModule } from '../runtime/module-entry.js';

export interface StreamStartOptions {
  source: string;
  detectEvery?: number;
  fps?: number;
  width?: number;
  height?: number;
  realtime?: boolean;
  spoof?: boolean;
  retries?: number;
}

export interface StreamFigures {
  frames: number;
  fps: number;
  activeTracks: number;
  people: number;
  strangers: number;
  dropped: number;
}

export type StreamState = 'starting' | 'running' | 'reconnecting' | 'ended' | 'failed' | 'stopped';

export interface StreamSnapshot {
  id: string;
  source: string;
  state: StreamState;
  startedAt: string;
  info: SourceInfo | null;
  figures: StreamFigures | null;
  error: { code: string; message: string } | null;
  attendance: AttendanceRow[] | null;
  events: number;
}

/** what a subscriber receives: an id to resume from, a kind, and the data */
export interface StreamMessage {
  id: number;
  kind: WatchEvent['type'] | 'state' | 'figures' | 'end';
  data: unknown;
}

export interface StreamWorkerData {
  db: string | null;
  options: StreamStartOptions;
}

export type WorkerMessage =
  | { type: 'info'; info: SourceInfo }
  | { type: 'status'; status: SourceStatus }
  | { type: 'event'; event: WatchEvent }
  | { type: 'progress'; stats: StreamFigures }
  | { type: 'ended'; stats: StreamFigures; attendance: AttendanceRow[] }
  | { type: 'failed'; error: { code: string; message: string } };

export interface StreamManagerOptions {
  /** the gallery each stream identifies against (a SQLite file or postgres:// URL); null: strangers only */
  db?: string | null;
  /** streams running at once (default 2: the machine decodes and infers for each) */
  maxStreams?: number;
  /** messages kept per stream for replay (default 500) */
  keepMessages?: number;
  /** finished streams kept for their final events (default 20) */
  keepFinished?: number;
}

const WORKER_URL = siblingModule('stream-worker', import.meta.url);
const FINAL: StreamState[] = ['ended', 'failed', 'stopped'];

class Stream {
  state: StreamState = 'starting';
  info: SourceInfo | null = null;
  figures: StreamFigures | null = null;
  error: { code: string; message: string } | null = null;
  attendance: AttendanceRow[] | null = null;
  events = 0;
  readonly startedAt = new Date().toISOString();
  readonly messages: StreamMessage[] = [];
  readonly listeners = new Set<(m: StreamMessage) => void>();
  private nextId = 1;
  readonly worker: ChildProcess;
  readonly opened: Promise<void>;
  readonly finished: Promise<void>;
  private stopRequested = false;

  constructor(readonly id: string, readonly options: StreamStartOptions, db: string | null, private readonly keep: number) {
    this.worker = fork(fileURLToPath(WORKER_URL), [], {
      execArgv: childExecArgv(WORKER_URL),
      env: { ...process.env, FACEKIT_STREAM: JSON.stringify({ db, options } satisfies StreamWorkerData) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let opened!: () => void;
    this.opened = new Promise((r) => (opened = r));
    let finished!: () => void;
    this.finished = new Promise((r) => (finished = r));
    const finish = (state: StreamState) => {
      if (FINAL.includes(this.state)) return;
      this.setState(this.stopRequested && state === 'ended' ? 'stopped' : state);
      this.publish('end', this.snapshot());
      opened();
      finished();
      if (this.worker.connected) this.worker.disconnect();
      // the child exits by itself once disconnected; a stuck one is killed
      setTimeout(() => this.worker.exitCode === null && this.worker.kill('SIGKILL'), 5000).unref();
    };
    this.worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'info':
          this.info = m.info;
          this.setState('running');
          opened();
          break;
        case 'status':
          this.setState(m.status.type === 'reconnecting' ? 'reconnecting' : 'running', m.status);
          break;
        case 'event':
          this.events++;
          this.publish(m.event.type, m.event);
          break;
        case 'progress':
          this.figures = m.stats;
          this.publish('figures', m.stats);
          break;
        case 'ended':
          this.figures = m.stats;
          this.attendance = m.attendance;
          finish('ended');
          break;
        case 'failed':
          this.error = m.error;
          finish('failed');
          break;
      }
    });
    this.worker.on('error', (e) => {
      this.error = { code: 'INTERNAL', message: `stream worker failed: ${e.message}` };
      finish('failed');
    });
    this.worker.on('exit', (code) => {
      if (!FINAL.includes(this.state) && this.stopRequested) finish('ended');
      if (!FINAL.includes(this.state)) {
        this.error = { code: 'INTERNAL', message: `stream worker exited with code ${code}` };
        finish('failed');
      }
    });
  }

  private setState(state: StreamState, detail?: unknown): void {
    if (this.state === state && detail === undefined) return;
    this.state = state;
    this.publish('state', { state, ...(detail ? { detail } : {}) });
  }

  private publish(kind: StreamMessage['kind'], data: unknown): void {
    const m: StreamMessage = { id: this.nextId++, kind, data };
    this.messages.push(m);
    if (this.messages.length > this.keep) this.messages.shift();
    for (const l of this.listeners) l(m);
  }

  stop(): void {
    if (FINAL.includes(this.state)) return;
    this.stopRequested = true;
    if (this.worker.connected) this.worker.send({ type: 'stop' });
  }

  snapshot(): StreamSnapshot {
    return {
      id: this.id, source: this.options.source, state: this.state, startedAt: this.startedAt, info: this.info,
      figures: this.figures, error: this.error, attendance: this.attendance, events: this.events,
    };
  }

  get done(): boolean {
    return FINAL.includes(this.state);
  }
}

export class StreamManager {
  private readonly streams = new Map<string, Stream>();
  private next = 1;
  private readonly db: string | null;
  private readonly maxStreams: number;
  private readonly keepMessages: number;
  private readonly keepFinished: number;

  constructor(opts: StreamManagerOptions = {}) {
    this.db = opts.db ?? null;
    this.maxStreams = opts.maxStreams ?? 2;
    this.keepMessages = opts.keepMessages ?? 500;
    this.keepFinished = opts.keepFinished ?? 20;
  }

  /** Starts watching; resolves once the source is open (or failed to open: then it throws). */
  async start(options: StreamStartOptions): Promise<StreamSnapshot> {
    if (typeof options?.source !== 'string' || options.source.trim() === '') throw new FacekitError('BAD_ARGUMENT', 'a stream needs a source');
    const running = [...this.streams.values()].filter((s) => !s.done).length;
    if (running >= this.maxStreams) throw new FacekitError('BAD_ARGUMENT', `already watching ${running} streams (the most at once is ${this.maxStreams}); stop one first`);
    this.prune();
    const id = `s${this.next++}`;
    const s = new Stream(id, options, this.db, this.keepMessages);
    this.streams.set(id, s);
    await s.opened;
    if (s.state === 'failed' && !s.info) {
      this.streams.delete(id);
      throw new FacekitError((s.error?.code ?? 'INTERNAL') as ErrorCode, s.error?.message ?? 'the stream could not start');
    }
    return s.snapshot();
  }

  get(id: string): StreamSnapshot {
    return this.stream(id).snapshot();
  }

  list(): StreamSnapshot[] {
    return [...this.streams.values()].map((s) => s.snapshot());
  }

  /**
   * Calls `listener` with every kept message after `afterId`, then with each new one; the last
   * message of a stream is kind 'end'. Returns the unsubscribe function.
   */
  subscribe(id: string, listener: (m: StreamMessage) => void, afterId = 0): () => void {
    const s = this.stream(id);
    for (const m of s.messages) if (m.id > afterId) listener(m);
    if (s.done) return () => undefined;
    s.listeners.add(listener);
    return () => s.listeners.delete(listener);
  }

  /** Stops watching (the open tracks end with track_ended) and forgets the stream. */
  async stop(id: string, timeoutMs = 10_000): Promise<StreamSnapshot> {
    const s = this.stream(id);
    s.stop();
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([s.finished, timer]);
    if (!s.done) {
      s.worker.kill('SIGKILL');
      await s.finished;
    }
    this.streams.delete(id);
    return s.snapshot();
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((id) => this.stop(id, 3000)));
  }

  private stream(id: string): Stream {
    const s = this.streams.get(id);
    if (!s) throw new FacekitError('NOT_FOUND', `no stream ${id}`);
    return s;
  }

  private prune(): void {
    const finished = [...this.streams.values()].filter((s) => s.done);
    for (const s of finished.slice(0, Math.max(0, finished.length - this.keepFinished + 1))) this.streams.delete(s.id);
  }
}
