import type { Queryable } from '../../db/index.js';

export interface UpsertBoundaryUsageStatsParams {
  replicaId: string;
  /** Unique ids since the last flush: written when the row is new (a new period). */
  uniqueWorkspacesDelta: number;
  uniqueUsersDelta: number;
  /** Unique ids of the whole period: written when the row exists. */
  uniqueWorkspacesCount: number;
  uniqueUsersCount: number;
  /** Request counts are always deltas, summed in the database. */
  allowedRequests: number;
  deniedRequests: number;
}

export interface BoundaryUsageSummary {
  unique_workspaces: number;
  unique_users: number;
  allowed_requests: number;
  denied_requests: number;
}

/**
 * Coder's UpsertBoundaryUsageStats (newest form). An INSERT (the row had been reset) writes the
 * deltas; an UPDATE replaces the unique counts with the cumulative ones and adds the request
 * deltas. Returns new_period: true when the row was inserted.
 */
export async function upsertBoundaryUsageStats(q: Queryable, p: UpsertBoundaryUsageStatsParams): Promise<boolean> {
  const rows = await q.query<{ new_period: boolean }>(
    'UpsertBoundaryUsageStats',
    `INSERT INTO boundary_usage_stats (replica_id, unique_workspaces_count, unique_users_count, allowed_requests,
       denied_requests, window_start, updated_at)
     VALUES ($1, $2, $3, $4, $5, NOW(), NOW())
     ON CONFLICT (replica_id) DO UPDATE SET
       unique_workspaces_count = $6,
       unique_users_count = $7,
       allowed_requests = boundary_usage_stats.allowed_requests + EXCLUDED.allowed_requests,
       denied_requests = boundary_usage_stats.denied_requests + EXCLUDED.denied_requests,
       updated_at = NOW()
     RETURNING (xmax = 0) AS new_period`,
    [p.replicaId, p.uniqueWorkspacesDelta, p.uniqueUsersDelta, p.allowedRequests, p.deniedRequests, p.uniqueWorkspacesCount, p.uniqueUsersCount],
  );
  return rows[0].new_period;
}

/**
 * Coder's GetAndResetBoundaryUsageSummary: deletes every row in one statement and sums those
 * whose window started within maxStalenessMs; older rows are deleted but not counted.
 */
export async function getAndResetBoundaryUsageSummary(q: Queryable, maxStalenessMs: number): Promise<BoundaryUsageSummary> {
  const fresh = `FILTER (WHERE window_start >= NOW() - ($1::bigint || ' ms')::interval)`;
  const rows = await q.query<BoundaryUsageSummary>(
    'GetAndResetBoundaryUsageSummary',
    `WITH deleted AS (DELETE FROM boundary_usage_stats RETURNING *)
     SELECT COALESCE(SUM(unique_workspaces_count) ${fresh}, 0)::bigint AS unique_workspaces,
            COALESCE(SUM(unique_users_count) ${fresh}, 0)::bigint AS unique_users,
            COALESCE(SUM(allowed_requests) ${fresh}, 0)::bigint AS allowed_requests,
            COALESCE(SUM(denied_requests) ${fresh}, 0)::bigint AS denied_requests
     FROM deleted`,
    [Math.trunc(maxStalenessMs)],
  );
  return rows[0];
}

/** Coder's DeleteBoundaryUsageStatsByReplicaID (a replica shutting down). */
export async function deleteBoundaryUsageStatsByReplicaId(q: Queryable, replicaId: string): Promise<void> {
  await q.query('DeleteBoundaryUsageStatsByReplicaID', 'DELETE FROM boundary_usage_stats WHERE replica_id = $1', [replicaId]);
}
