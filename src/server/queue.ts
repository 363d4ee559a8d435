import { HttpError } from './http-error.js';
import { requestSignal } from './request-signal.js';

/**
 * A bounded admission queue in front of inference: at most `concurrency` jobs run at once (the
 * service runs ORT off the event loop, but CPU and memory are finite), at most `maxQueued` wait,
 * and anything beyond is refused at once with 503 + Retry-After instead of piling up latency.
 */
export class WorkQueue {
  readonly concurrency: number;
  readonly maxQueued: number;
  private active = 0;
  private waiting: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  /** exponential moving average of job seconds, for Retry-After */
  private avgSeconds = 0.5;
  rejected = 0;
  completed = 0;
  /** jobs whose client went away while they waited */
  abandoned = 0;

  constructor(opts: { concurrency: number; maxQueued: number }) {
    if (!(opts.concurrency >= 1)) throw new RangeError('queue concurrency must be at least 1');
    if (!(opts.maxQueued >= 0)) throw new RangeError('queue maxQueued must be 0 or more');
    this.concurrency = Math.floor(opts.concurrency);
    this.maxQueued = Math.floor(opts.maxQueued);
  }

  get running(): number { return this.active; }
  get queued(): number { return this.waiting.length; }

  /** Seconds a refused client should wait: the time for the current backlog to drain. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.avgSeconds * (this.waiting.length + this.active)) / this.concurrency));
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) {
        this.rejected++;
        const after = this.retryAfterSeconds();
        throw new HttpError(503, 'QUEUE_FULL', `server busy: ${this.active} requests running and ${this.waiting.length} queued; retry in ${after}s`, { 'retry-after': String(after) });
      }
      await this.waitForSlot();
    } else {
      this.active++;
    }
    const t0 = performance.now();
    try {
      return await job();
    } finally {
      this.avgSeconds = 0.8 * this.avgSeconds + 0.2 * ((performance.now() - t0) / 1000);
      this.completed++;
      const next = this.waiting.shift();
      // the slot passes straight to the next waiter, so `active` only drops when nobody waits
      if (next) next();
      else {
        this.active--;
        if (this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  /**
   * Waits in line for a slot. A client that goes away while waiting leaves the line, so work
   * nobody will read never runs; once running, a job keeps its slot until its worker is free: it
   * ends, its deadline passes, or its client left more than the pool's orphan grace ago and the
   * worker is recycled (src/service/worker-pool.ts), so the concurrency limit holds for the CPU too.
   */
  private async waitForSlot(): Promise<void> {
    const signal = requestSignal();
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        const i = this.waiting.indexOf(turn);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        this.abandoned++;
        reject(new HttpError(499, 'CLIENT_GONE', 'the client closed the connection while its request waited'));
      };
      this.waiting.push(turn);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }

  /** Resolves once nothing runs or waits (graceful shutdown). */
  async idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
