import * as q from '../boundaryusage/queries.js';
import { boundaryUsageObject } from '../rbac/index.js';
import type { Store } from './store.js';

/** boundary_usage: no built-in role has it; only the boundary-usage-tracker system subject. */
export class BoundaryUsageAuthz {
  constructor(private readonly s: Store) {}

  async upsertBoundaryUsageStats(p: q.UpsertBoundaryUsageStatsParams): Promise<boolean> {
    this.s.authorize('update', boundaryUsageObject());
    return q.upsertBoundaryUsageStats(this.s.q, p);
  }

  /** Reads and deletes: needs both. */
  async getAndResetBoundaryUsageSummary(maxStalenessMs: number): Promise<q.BoundaryUsageSummary> {
    this.s.authorize('read', boundaryUsageObject());
    this.s.authorize('delete', boundaryUsageObject());
    return q.getAndResetBoundaryUsageSummary(this.s.q, maxStalenessMs);
  }

  async deleteBoundaryUsageStatsByReplicaId(replicaId: string): Promise<void> {
    this.s.authorize('delete', boundaryUsageObject());
    return q.deleteBoundaryUsageStatsByReplicaId(this.s.q, replicaId);
  }
}
