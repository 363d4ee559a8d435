/**
 * Events counted per key (a client address) in fixed time windows, for limits that must hold
 * against clients who never authenticate: failed authentications, and the audit lines they would
 * otherwise write. Memory is bounded: past `maxKeys` keys, the oldest windows are forgotten.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Counts one event. `count` is this window's count including it; `previous` is the count of
   * the key's window that had ended when this event came (0 when there was none).
   */
  hit(key: string, now = Date.now()): { count: number; previous: number } {
    let w = this.windows.get(key);
    let previous = 0;
    if (w && now - w.start >= this.windowMs) {
      previous = w.count;
      w = undefined;
    }
    if (!w) {
      w = { start: now, count: 0 };
      this.windows.delete(key); // re-inserted last, so the map stays in window-start order
      this.windows.set(key, w);
      this.prune();
    }
    w.count++;
    return { count: w.count, previous };
  }

  /** events so far in the key's current window */
  count(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    return w && now - w.start < this.windowMs ? w.count : 0;
  }

  /** ms until the key's current window ends */
  msLeft(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    return w ? Math.max(0, w.start + this.windowMs - now) : 0;
  }

  private prune(): void {
    // the map is in window-start order, so the first keys are the oldest: ended windows go first
    for (const k of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) return;
      this.windows.delete(k);
    }
  }
}
