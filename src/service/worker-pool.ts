/**
 * Inference worker threads: image work is posted to the least-busy worker and answered by id.
 * Workers hold no reference on the event loop while idle, so a forgotten close() never keeps a
 * process alive; close() terminates them.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startModuleWorker } from '../runtime/module-entry.js';
import { FacekitError, type ErrorCode } from '../errors/index.js';
import type { ImageWork, ImageWorkResult } from './image-work.js';
import type { WorkReply, WorkRequest } from './inference-worker.js';

const WORKER_URL = siblingModule('inference-worker', import.meta.url);

const MAX_SILENT_CRASHES = 3;

interface Pending {
  resolve: (r: ImageWorkResult) => void;
  reject: (e: Error) => void;
}

class InferenceWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  answered = 0;

  constructor(onExit: (w: InferenceWorker, err: Error) => void) {
    this.worker = startModuleWorker(WORKER_URL);
    this.worker.unref();
    this.worker.on('message', (reply: WorkReply) => this.settle(reply));
    this.worker.on('error', (err) => onExit(this, err));
    this.worker.on('exit', (code) => onExit(this, new Error(`inference worker exited with code ${code}`)));
  }

  private settle(reply: WorkReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
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
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

export class WorkerPool {
  private workers: InferenceWorker[] = [];
  private nextId = 1;
  private closed = false;
  private crashes = 0;
  private broken: Error | undefined;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new FacekitError('BAD_ARGUMENT', `inference workers must be a positive integer, got ${size}`);
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
      w.pending.set(id, { resolve, reject });
      w.worker.ref();
      // copy: the caller's Buffer may be a slice of a pooled allocation
      const req: WorkRequest = { id, image: new Uint8Array(image), work };
      w.worker.postMessage(req, [req.image.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    for (const w of ws) w.failAll(new FacekitError('INTERNAL', 'the face service closed'));
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}
