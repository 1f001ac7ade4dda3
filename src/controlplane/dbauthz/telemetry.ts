import * as q from '../telemetry/queries.js';
import { systemObject } from '../rbac/index.js';
import type { Store } from './store.js';

/** Telemetry locks are system bookkeeping (Coder: ResourceSystem create/delete). */
export class TelemetryAuthz {
  constructor(private readonly s: Store) {}

  async insertTelemetryLock(eventType: q.TelemetryLockEventType, periodEndingAt: Date): Promise<void> {
    this.s.authorize('create', systemObject());
    return q.insertTelemetryLock(this.s.q, eventType, periodEndingAt);
  }

  async deleteOldTelemetryLocks(before: Date): Promise<void> {
    this.s.authorize('delete', systemObject());
    return q.deleteOldTelemetryLocks(this.s.q, before);
  }
}
