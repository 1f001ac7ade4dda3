/**
 * Overload protection (Coder: `--aibridge-max-concurrency`, `--aibridge-rate-limit`): a cap on
 * requests in flight, and a per-token request rate over one-second windows (Coder's newest
 * window). Both are pure counters; the clock is injectable.
 */

export class ConcurrencyLimit {
  private inUse = 0;
  constructor(readonly max: number) {}

  /** Takes a slot; false when all `max` are taken. A max of 0 means unlimited. */
  tryAcquire(): boolean {
    if (this.max > 0 && this.inUse >= this.max) return false;
    this.inUse++;
    return true;
  }

  release(): void {
    if (this.inUse > 0) this.inUse--;
  }

  get current(): number {
    return this.inUse;
  }
}

export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();
  private readonly windowMs = 1000;

  constructor(
    readonly perWindow: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; refuses it when the key is over its rate. */
  check(key: string): RateVerdict {
    if (this.perWindow <= 0) return { ok: true };
    const t = this.now();
    const start = t - (t % this.windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size > 10_000) this.prune(start);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= this.perWindow) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((start + this.windowMs - t) / 1000)) };
    w.count++;
    return { ok: true };
  }

  private prune(current: number): void {
    for (const [k, w] of this.windows) if (w.start !== current) this.windows.delete(k);
  }
}
