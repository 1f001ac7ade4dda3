import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { Store } from '../dbauthz/store.js';
import { startBoundaryTelemetry, type BoundaryUsageSummary } from '../telemetry/boundary.js';
import { Tracker, type Timers } from './tracker.js';

export { Tracker, FLUSH_INTERVAL_MS, type FlushLoop, type Timers } from './tracker.js';

export interface BoundaryUsage {
  /** Agents' ReportBoundaryLogs call tracker.track(workspaceId, ownerId, allowed, denied). */
  tracker: Tracker;
  /** This process's replica id: the key of its boundary_usage_stats row. */
  replicaId: string;
  /** Stops the flush loop and the telemetry job. */
  stop(): Promise<void>;
}

/**
 * Boundary usage of this replica: the tracker flushing every minute, and the telemetry job
 * that, once per snapshot period across all replicas, collects and resets the summary.
 */
export function startBoundaryUsage(opts: {
  store: Store;
  log: Logger;
  replicaId?: string;
  report?: (s: BoundaryUsageSummary) => void;
  timers?: Timers;
  now?: () => Date;
}): BoundaryUsage {
  const log = opts.log.child({ component: 'boundaryusage' });
  const tracker = new Tracker();
  const replicaId = opts.replicaId ?? randomUUID();
  const loop = tracker.startFlushLoop({ store: opts.store, replicaId, log, timers: opts.timers });
  const telemetry = startBoundaryTelemetry({ store: opts.store, log, report: opts.report, timers: opts.timers, now: opts.now });
  return {
    tracker,
    replicaId,
    async stop() {
      await Promise.all([loop.stop(), telemetry.stop()]);
    },
  };
}
