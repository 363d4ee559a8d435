/**
 * Inference worker threads: image work is posted to the least-busy worker and answered by id.
 * Workers hold no reference on the event loop while idle, so a forgotten close() never keeps a
 * process alive; close() terminates them.
 *
 * Every job has a deadline. A job that outruns it fails with TIMEOUT and its worker is replaced:
 * a thread busy in native decoding or inference cannot be interrupted, only abandoned, so the
 * other jobs it held move to the new worker and the slot is free again at once.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../runtime/module-entry.js';
import { FacekitError, type ErrorCode } from '../errors/index.js';
import type { ImageWork, ImageWorkResult } from './image-work.js';
import type { WorkReply, WorkRequest } from './inference-worker.js';

const WORKER_URL = siblingModule('inference-worker', import.meta.url);

const MAX_SILENT_CRASHES = 3;

/** Default deadline of one image's work. */
export const DEFAULT_DEADLINE_MS = 20_000;

interface Pending {
  /** kept (the worker gets a copy) so the job can move to another worker */
  request: WorkRequest;
  resolve: (r: ImageWorkResult) => void;
  reject: (e: Error) => void;
  deadline: NodeJS.Timeout | null;
}

class InferenceWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  answered = 0;
  /** abandoned by the pool: its exit is expected, not a crash */
  retired = false;

  constructor(onExit: (w: InferenceWorker, err: Error) => void) {
    this.worker = startModuleWorker(WORKER_URL);
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
    if (p.deadline) clearTimeout(p.deadline);
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
      if (p.deadline) clearTimeout(p.deadline);
      p.reject(err);
    }
    this.pending.clear();
  }
}

export interface WorkerPoolOptions {
  /** ms one image's work may take once its worker has warmed up; 0: no deadline (default 20 s) */
  deadlineMs?: number;
}

export class WorkerPool {
  private workers: InferenceWorker[] = [];
  private nextId = 1;
  private closed = false;
  private crashes = 0;
  private broken: Error | undefined;
  private readonly deadlineMs: number;

  constructor(size: number, opts: WorkerPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new FacekitError('BAD_ARGUMENT', `inference workers must be a positive integer, got ${size}`);
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
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
      this.workers[i] = this.spawn();
    });
  }

  run(image: Buffer, work: ImageWork): Promise<ImageWorkResult> {
    if (this.closed) return Promise.reject(new FacekitError('INTERNAL', 'the face service is closed'));
    if (this.workers.length === 0) return Promise.reject(new Error(`inference workers cannot start: ${this.broken?.message}`));
    const w = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<ImageWorkResult>((resolve, reject) => {
      // a worker's first job may compile and load models (seconds to minutes on a cold cache): only
      // a warmed-up worker's jobs have a deadline
      const timed = this.deadlineMs > 0 && w.answered > 0;
      const deadline = timed ? setTimeout(() => this.abandon(id), this.deadlineMs).unref() : null;
      // copy: the caller's Buffer may be a slice of a pooled allocation
      w.post({ request: { id, image: new Uint8Array(image), work }, resolve, reject, deadline });
    });
  }

  /** Fails job `id` with TIMEOUT and replaces its worker, moving the worker's other jobs to the new one. */
  private abandon(id: number): void {
    const i = this.workers.findIndex((w) => w.pending.has(id));
    if (i < 0) return;
    const stuck = this.workers[i];
    const job = stuck.pending.get(id)!;
    stuck.pending.delete(id);
    job.reject(new FacekitError('TIMEOUT', `the image took longer than ${this.deadlineMs / 1000} s to process and was abandoned`, { deadlineMs: this.deadlineMs }));
    stuck.retired = true;
    void stuck.worker.terminate();
    const fresh = this.spawn();
    this.workers[i] = fresh;
    for (const other of stuck.pending.values()) fresh.post(other);
    stuck.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    for (const w of ws) w.failAll(new FacekitError('INTERNAL', 'the face service closed'));
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}
