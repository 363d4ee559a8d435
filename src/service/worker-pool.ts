/**
 * Inference worker threads: image work is posted to the least-busy worker and answered by id.
 * Workers hold no reference on the event loop while idle, so a forgotten close() never keeps a
 * process alive; close() terminates them.
 *
 * Every job has a deadline. A job that outruns it fails with TIMEOUT and its worker is replaced:
 * a thread busy in native decoding or inference cannot be interrupted, only abandoned, so the
 * other jobs it held move to the new worker and the slot is free again at once.
 *
 * A job whose caller goes away (its AbortSignal fires: the HTTP client disconnected) is
 * abandoned the same way once it has run `orphanGraceMs` (default 1 s), at once if it already
 * has. Why not always at once: replacing a worker costs a cold start (thread, modules, model
 * sessions: seconds of CPU on a small machine), while a normal request is done in a few hundred
 * milliseconds; a job still running after about twice that is more likely a hostile or huge
 * image with seconds to go, and recycling is then the cheaper way to free the slot. Either way
 * the caller's promise settles only when the worker is free, so the admission queue's slot
 * (server/queue.ts) is not handed on while the CPU is still busy with the orphan.
 *
 * A replacement is warmed at once (a warm spare): it reruns the newest answered job of a
 * photo-sized image and drops the answer, so its model sessions are loaded before the next
 * request needs them rather than during it. The pool keeps that one image in memory.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../runtime/module-entry.js';
import { FacekitError, type ErrorCode } from '../errors/index.js';
import { DEFAULT_DEADLINE_MS, defaultWorkerCount, threadsPerWorker } from '../server/limits.js';
import type { ImageWork, ImageWorkResult } from './image-work.js';
import type { WorkReply, WorkRequest } from './inference-worker.js';

const WORKER_URL = siblingModule('inference-worker', import.meta.url);

const MAX_SILENT_CRASHES = 3;

/** Default deadline of one image's work (with the server's other defaults, so the CLI can name it without loading this). */
export { DEFAULT_DEADLINE_MS, defaultWorkerCount };

/** Default time a job whose caller went away may still run before its worker is recycled. */
export const DEFAULT_ORPHAN_GRACE_MS = 1_000;

/** A warm-up reruns a job only up to a camera photo's size: it should load models, not decode a poster. */
const WARM_UP_MAX_PIXELS = 12_000_000;
const WARM_UP_MAX_BYTES = 4 * 1024 * 1024;

interface Pending {
  /** kept (the worker gets a copy) so the job can move to another worker */
  request: WorkRequest;
  resolve: (r: ImageWorkResult) => void;
  reject: (e: Error) => void;
  deadline: NodeJS.Timeout | null;
  /** performance.now() when it was posted */
  postedAt: number;
  /** set when its caller went away: when it is abandoned unless it answers first */
  orphanTimer?: NodeJS.Timeout;
}

function clearTimers(p: Pending): void {
  if (p.deadline) clearTimeout(p.deadline);
  if (p.orphanTimer) clearTimeout(p.orphanTimer);
}

class InferenceWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  answered = 0;
  /** abandoned by the pool: its exit is expected, not a crash */
  retired = false;

  constructor(onExit: (w: InferenceWorker, err: Error) => void, ortThreads: number) {
    // FACEKIT_ORT_THREADS, when set, is the user's choice and passes through unchanged
    this.worker = startModuleWorker(WORKER_URL, { env: { ...process.env, FACEKIT_ORT_THREADS: process.env.FACEKIT_ORT_THREADS || String(ortThreads) } });
    this.worker.unref();
    this.worker.on('message', (reply: WorkReply) => this.settle(reply));
    this.worker.on('error', (err) => this.retired || onExit(this, err));
    this.worker.on('exit', (code) => this.retired || onExit(this, new Error(`inference worker exited with code ${code}`)));
  }

  post(p: Pending): void {
    this.pending.set(p.request.id, p);
    this.worker.ref();
    this.worker.postMessage(p.request);
  }

  private settle(reply: WorkReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    clearTimers(p);
    this.pending.delete(reply.id);
    this.answered++;
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) return p.resolve(reply.result);
    const e = reply.error;
    if (e.facekit) return p.reject(new FacekitError(e.code as ErrorCode, e.message, e.details));
    const err = new Error(e.message);
    if (e.stack) err.stack = e.stack;
    p.reject(err);
  }

  failAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimers(p);
      p.reject(err);
    }
    this.pending.clear();
  }
}

export interface WorkerPoolOptions {
  /** ms one image's work may take once its worker has warmed up; 0: no deadline (default 20 s) */
  deadlineMs?: number;
  /** ms a job whose caller went away may run before its worker is recycled (default 1 s; see above) */
  orphanGraceMs?: number;
}

/** Why a job was abandoned before its answer. */
export type AbandonReason = 'deadline' | 'caller-gone';

export class WorkerPool {
  private workers: InferenceWorker[] = [];
  private nextId = 1;
  private closed = false;
  private crashes = 0;
  private broken: Error | undefined;
  private readonly deadlineMs: number;
  private readonly orphanGraceMs: number;
  /** the newest answered job of a photo-sized image: what a replacement worker warms up with */
  private lastNormal: { image: Uint8Array; work: ImageWork } | null = null;
  /** workers replaced after a deadline or a departed caller, and replacements warmed up, for tests and metrics */
  recycled = 0;
  warmed = 0;

  private readonly ortThreads: number;

  constructor(size: number = defaultWorkerCount(), opts: WorkerPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new FacekitError('BAD_ARGUMENT', `inference workers must be a positive integer, got ${size}`);
    this.ortThreads = threadsPerWorker(size);
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.orphanGraceMs = opts.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  private spawn(): InferenceWorker {
    return new InferenceWorker((w, err) => {
      w.failAll(err);
      const i = this.workers.indexOf(w);
      if (i < 0 || this.closed) return;
      // replace a crashed worker so one bad request does not take inference down for good, but
      // stop when workers die without answering anything (a broken install would loop forever)
      if (w.answered === 0 && ++this.crashes >= MAX_SILENT_CRASHES) {
        this.broken = err;
        this.workers.splice(i, 1);
        return;
      }
      if (w.answered > 0) this.crashes = 0;
      this.workers[i] = this.spawnWarm();
    }, this.ortThreads);
  }

  /** A new worker, sent the last normal job first (its answer dropped) so it loads its models now. */
  private spawnWarm(): InferenceWorker {
    const w = this.spawn();
    const last = this.lastNormal;
    if (last) {
      // no deadline: it is a worker's first job, like any; a failure only means a colder start
      const warmed = () => void this.warmed++;
      w.post({ request: { id: this.nextId++, image: last.image, work: last.work }, resolve: warmed, reject: () => undefined, deadline: null, postedAt: performance.now() });
    }
    return w;
  }

  /**
   * Runs one image's work on a worker. `signal`: the caller's interest (the HTTP request's);
   * when it aborts, the job is abandoned as described above and the promise rejects with TIMEOUT
   * (details.callerGone; once the worker is free), unless the answer comes first.
   */
  run(image: Buffer, work: ImageWork, signal?: AbortSignal): Promise<ImageWorkResult> {
    if (this.closed) return Promise.reject(new FacekitError('INTERNAL', 'the face service is closed'));
    if (this.workers.length === 0) return Promise.reject(new Error(`inference workers cannot start: ${this.broken?.message}`));
    if (signal?.aborted) return Promise.reject(callerGone());
    const w = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<ImageWorkResult>((resolve, reject) => {
      // a worker's first job may compile and load models (seconds to minutes on a cold cache): only
      // a warmed-up worker's jobs have a deadline, and only they are recycled for a departed caller
      const warm = w.answered > 0;
      const timed = this.deadlineMs > 0 && warm;
      const deadline = timed ? setTimeout(() => this.abandon(id, 'deadline'), this.deadlineMs).unref() : null;
      const onAbort = () => this.orphaned(id);
      const done = () => signal?.removeEventListener('abort', onAbort);
      // copy: the caller's Buffer may be a slice of a pooled allocation
      const request = { id, image: new Uint8Array(image), work };
      w.post({
        request,
        postedAt: performance.now(),
        deadline,
        resolve: (r) => {
          done();
          if (r.width * r.height <= WARM_UP_MAX_PIXELS && request.image.byteLength <= WARM_UP_MAX_BYTES) this.lastNormal = { image: request.image, work };
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      if (warm) signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Job `id`'s caller went away: abandon it now if it has run orphanGraceMs, else when it has. */
  private orphaned(id: number): void {
    const p = this.workers.find((w) => w.pending.has(id))?.pending.get(id);
    if (!p || p.orphanTimer) return;
    const left = this.orphanGraceMs - (performance.now() - p.postedAt);
    if (left <= 0) this.abandon(id, 'caller-gone');
    else p.orphanTimer = setTimeout(() => this.abandon(id, 'caller-gone'), left).unref();
  }

  /** Fails job `id` and replaces its worker, moving the worker's other jobs to the new one. */
  private abandon(id: number, why: AbandonReason): void {
    const i = this.workers.findIndex((w) => w.pending.has(id));
    if (i < 0) return;
    const stuck = this.workers[i];
    const job = stuck.pending.get(id)!;
    stuck.pending.delete(id);
    clearTimers(job);
    job.reject(why === 'deadline'
      ? new FacekitError('TIMEOUT', `the image took longer than ${this.deadlineMs / 1000} s to process and was abandoned`, { deadlineMs: this.deadlineMs })
      : callerGone());
    stuck.retired = true;
    void stuck.worker.terminate();
    this.recycled++;
    const fresh = this.spawnWarm();
    this.workers[i] = fresh;
    for (const other of stuck.pending.values()) fresh.post(other);
    stuck.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.lastNormal = null;
    const ws = this.workers;
    this.workers = [];
    for (const w of ws) w.failAll(new FacekitError('INTERNAL', 'the face service closed'));
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}

function callerGone(): FacekitError {
  return new FacekitError('TIMEOUT', 'the caller went away; its image work was abandoned', { callerGone: true });
}
