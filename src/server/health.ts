/** A clock that tests can drive. */
export interface Clock {
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

/**
 * Tracks which health checks have completed and which are still running, so a timed-out
 * health report names the check that held it up (Coder's healthcheck.Progress, seed 003).
 */
export class Progress {
  private started = new Map<string, number>();
  private completed = new Map<string, number>();

  constructor(private readonly clock: Clock = realClock) {}

  start(name: string): void {
    this.started.set(name, this.clock.now());
  }

  complete(name: string): void {
    const t0 = this.started.get(name);
    if (t0 === undefined) return;
    this.completed.set(name, this.clock.now() - t0);
  }

  /**
   * `Completed: A (Xms), B (Yms). Still running: C (elapsed: Zms)`; names sorted byte-wise
   * within each part, an empty part left out, and "" when nothing was tracked.
   */
  summary(): string {
    const byteSort = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const done = [...this.completed.keys()].sort(byteSort).map((n) => `${n} (${this.completed.get(n)}ms)`);
    const now = this.clock.now();
    const running = [...this.started.keys()]
      .filter((n) => !this.completed.has(n))
      .sort(byteSort)
      .map((n) => `${n} (elapsed: ${now - this.started.get(n)!}ms)`);
    const parts: string[] = [];
    if (done.length) parts.push(`Completed: ${done.join(', ')}`);
    if (running.length) parts.push(`Still running: ${running.join(', ')}`);
    return parts.join('. ');
  }
}

export interface HealthCheck {
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface HealthReport {
  healthy: boolean;
  time: string;
  checks: Record<string, { healthy: boolean; error?: string; duration_ms: number }>;
  /** Set when the report timed out: which checks finished and which did not. */
  timeout_summary?: string;
}

/** Runs every check concurrently under one timeout, tracking progress for the report. */
export async function runHealthChecks(checks: HealthCheck[], timeoutMs: number, clock: Clock = realClock): Promise<HealthReport> {
  const progress = new Progress(clock);
  const ac = new AbortController();
  const results: HealthReport['checks'] = {};
  const all = Promise.all(
    checks.map(async (c) => {
      const t0 = clock.now();
      progress.start(c.name);
      try {
        await c.run(ac.signal);
        results[c.name] = { healthy: true, duration_ms: clock.now() - t0 };
      } catch (err) {
        results[c.name] = { healthy: false, error: (err as Error).message, duration_ms: clock.now() - t0 };
      } finally {
        progress.complete(c.name);
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    all.then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    ac.abort();
    return { healthy: false, time: new Date().toISOString(), checks: results, timeout_summary: `healthcheck timed out. ${progress.summary()}` };
  }
  return { healthy: Object.values(results).every((r) => r.healthy), time: new Date().toISOString(), checks: results };
}
