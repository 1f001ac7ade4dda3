-- Boundary usage telemetry (coder/coder boundary_usage_stats + telemetry_locks).
-- One row per replica: the tracker upserts its stats every minute; telemetry collection
-- deletes every row atomically (GetAndResetBoundaryUsageSummary).
CREATE TABLE boundary_usage_stats (
  replica_id uuid PRIMARY KEY,
  unique_workspaces_count bigint NOT NULL DEFAULT 0,
  unique_users_count bigint NOT NULL DEFAULT 0,
  allowed_requests bigint NOT NULL DEFAULT 0,
  denied_requests bigint NOT NULL DEFAULT 0,
  -- Set on the first flush after a reset.
  window_start timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One replica per (event type, period) reports telemetry: the first to insert the row wins.
CREATE TABLE telemetry_locks (
  event_type text NOT NULL,
  period_ending_at timestamptz NOT NULL,
  PRIMARY KEY (event_type, period_ending_at),
  CONSTRAINT telemetry_lock_event_type_constraint
    CHECK (event_type IN ('aibridge_interceptions_summary'))
);

CREATE INDEX idx_telemetry_locks_period_ending_at ON telemetry_locks (period_ending_at);

-- As in Coder, boundary_usage_summary joins the allowed event types by dropping and re-adding the CHECK.
ALTER TABLE telemetry_locks DROP CONSTRAINT telemetry_lock_event_type_constraint;
ALTER TABLE telemetry_locks ADD CONSTRAINT telemetry_lock_event_type_constraint
  CHECK (event_type IN ('aibridge_interceptions_summary', 'boundary_usage_summary'));
