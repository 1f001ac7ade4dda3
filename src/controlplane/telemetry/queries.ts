import type { Queryable } from '../../db/index.js';

export type TelemetryLockEventType = 'aibridge_interceptions_summary' | 'boundary_usage_summary';

/**
 * Coder's InsertTelemetryLock: claims (event type, period) for this replica. Throws the
 * engine's unique violation (code 23505 on telemetry_locks_pkey) when another replica has it.
 */
export async function insertTelemetryLock(q: Queryable, eventType: TelemetryLockEventType, periodEndingAt: Date): Promise<void> {
  await q.query('InsertTelemetryLock', 'INSERT INTO telemetry_locks (event_type, period_ending_at) VALUES ($1, $2)', [eventType, periodEndingAt]);
}

/** Coder's DeleteOldTelemetryLocks: forgets claims of periods ending before `before`. */
export async function deleteOldTelemetryLocks(q: Queryable, before: Date): Promise<void> {
  await q.query('DeleteOldTelemetryLocks', 'DELETE FROM telemetry_locks WHERE period_ending_at < $1', [before]);
}
