import type { Logger } from '../../log.js';
import { realTimers, type Timers } from '../boundaryusage/tracker.js';
import type { Store } from '../dbauthz/store.js';

/** Coder's telemetry SnapshotFrequency default. */
export const SNAPSHOT_FREQUENCY_MS = 30 * 60_000;

/** The boundary usage part of a telemetry snapshot (Coder's telemetry.BoundaryUsageSummary). */
export interface BoundaryUsageSummary {
  unique_workspaces: number;
  unique_users: number;
  allowed_requests: number;
  denied_requests: number;
  period_start: string;
  period_duration_ms: number;
}

/** now, in UTC, truncated to a multiple of the snapshot frequency (Go's time.Truncate). */
export function periodEndingAt(now: Date, frequencyMs = SNAPSHOT_FREQUENCY_MS): Date {
  return new Date(Math.floor(now.getTime() / frequencyMs) * frequencyMs);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '23505';
}

export interface CollectOptions {
  now?: () => Date;
  snapshotFrequencyMs?: number;
  /**
   * Rows whose window started longer ago are deleted but not counted. Coder's exact value is
   * not confirmed; two snapshot periods keep a replica's row that missed one collection.
   */
  maxStalenessMs?: number;
}

/**
 * Collects the boundary usage summary of this period, once across all replicas: the replica
 * that inserts the period's telemetry lock resets every replica's row and reports the sums;
 * the others (a unique violation on the lock) report null.
 */
export async function collectBoundaryUsageSummary(store: Store, opts: CollectOptions = {}): Promise<BoundaryUsageSummary | null> {
  const now = (opts.now ?? (() => new Date()))();
  const freq = opts.snapshotFrequencyMs ?? SNAPSHOT_FREQUENCY_MS;
  try {
    await store.asSystem('systemRestricted').telemetry.insertTelemetryLock('boundary_usage_summary', periodEndingAt(now, freq));
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
  const s = await store.asSystem('boundaryUsageTracker').boundaryUsage.getAndResetBoundaryUsageSummary(opts.maxStalenessMs ?? 2 * freq);
  return {
    unique_workspaces: s.unique_workspaces,
    unique_users: s.unique_users,
    allowed_requests: s.allowed_requests,
    denied_requests: s.denied_requests,
    period_start: new Date(now.getTime() - freq).toISOString(),
    period_duration_ms: freq,
  };
}

export interface TelemetryJob {
  /** Stops the job and waits for a collection in progress. */
  stop(): Promise<void>;
  /** Resolves when the collection in progress (if any) is done (tests). */
  idle(): Promise<void>;
}

/**
 * Runs collectBoundaryUsageSummary every snapshot period and hands each non-null summary to
 * `report` (there is no telemetry endpoint here; the default logs it at info).
 */
export function startBoundaryTelemetry(opts: {
  store: Store;
  log: Logger;
  report?: (s: BoundaryUsageSummary) => void;
  snapshotFrequencyMs?: number;
  now?: () => Date;
  timers?: Timers;
}): TelemetryJob {
  const freq = opts.snapshotFrequencyMs ?? SNAPSHOT_FREQUENCY_MS;
  const timers = opts.timers ?? realTimers;
  const report = opts.report ?? ((s) => opts.log.info({ boundary_usage_summary: s }, 'boundary usage telemetry'));
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const handle = timers.setInterval(() => {
    if (stopped) return;
    running = running.then(async () => {
      try {
        const s = await collectBoundaryUsageSummary(opts.store, { snapshotFrequencyMs: freq, now: opts.now });
        if (s) report(s);
      } catch (err) {
        opts.log.warn({ err }, 'boundary usage telemetry failed');
      }
    });
  }, freq);
  return {
    async stop() {
      stopped = true;
      timers.clearInterval(handle);
      await running;
    },
    idle: () => running,
  };
}
