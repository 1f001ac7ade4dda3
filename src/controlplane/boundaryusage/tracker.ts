import type { Logger } from '../../log.js';
import type { Store } from '../dbauthz/store.js';

/** How often each replica flushes its boundary usage (Coder: 1 minute). */
export const FLUSH_INTERVAL_MS = 60_000;

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export interface FlushLoop {
  /** Stops the loop and waits for a flush in progress. */
  stop(): Promise<void>;
  /** Resolves when the flush in progress (if any) is done (tests). */
  idle(): Promise<void>;
}

/**
 * Boundary usage of this replica, in memory (Coder's boundaryusage.Tracker). Cumulative sets
 * count the unique workspaces and users of the current period; delta sets and counters hold
 * what arrived since the last flush. The database row of the replica holds the period's totals.
 */
export class Tracker {
  private workspaces = new Set<string>();
  private users = new Set<string>();
  private workspacesDelta = new Set<string>();
  private usersDelta = new Set<string>();
  private allowed = 0;
  private denied = 0;
  private usageSinceLastFlush = false;

  /** Records boundary requests of one workspace (the agent's ReportBoundaryLogs). */
  track(workspaceId: string, ownerId: string, allowed: number, denied: number): void {
    this.workspaces.add(workspaceId);
    this.workspacesDelta.add(workspaceId);
    this.users.add(ownerId);
    this.usersDelta.add(ownerId);
    this.allowed += allowed;
    this.denied += denied;
    this.usageSinceLastFlush = true;
  }

  /**
   * Writes the usage since the last flush to the replica's row, as the boundary-usage-tracker
   * subject. A no-op when nothing was tracked. Deltas are reset before the write so that
   * Track calls made meanwhile are kept for the next flush; afterwards the cumulative sets
   * restart from the current deltas (bounded memory). A failed write loses that flush's data.
   */
  async flushToDB(store: Store, replicaId: string): Promise<void> {
    if (!this.usageSinceLastFlush) return;
    const params = {
      replicaId,
      uniqueWorkspacesCount: this.workspaces.size,
      uniqueUsersCount: this.users.size,
      uniqueWorkspacesDelta: this.workspacesDelta.size,
      uniqueUsersDelta: this.usersDelta.size,
      allowedRequests: this.allowed,
      deniedRequests: this.denied,
    };
    this.workspacesDelta = new Set();
    this.usersDelta = new Set();
    this.allowed = 0;
    this.denied = 0;
    this.usageSinceLastFlush = false;
    try {
      await store.asSystem('boundaryUsageTracker').boundaryUsage.upsertBoundaryUsageStats(params);
    } finally {
      this.workspaces = new Set(this.workspacesDelta);
      this.users = new Set(this.usersDelta);
    }
  }

  /** Flushes every minute (or intervalMs); failures are logged as warnings. */
  startFlushLoop(opts: { store: Store; replicaId: string; log: Logger; intervalMs?: number; timers?: Timers }): FlushLoop {
    const timers = opts.timers ?? realTimers;
    let running: Promise<void> = Promise.resolve();
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      running = running.then(() =>
        this.flushToDB(opts.store, opts.replicaId).catch((err: unknown) => opts.log.warn({ err }, 'boundary usage flush failed')),
      );
    };
    const handle = timers.setInterval(tick, opts.intervalMs ?? FLUSH_INTERVAL_MS);
    return {
      async stop() {
        stopped = true;
        timers.clearInterval(handle);
        await running;
      },
      idle: () => running,
    };
  }
}
