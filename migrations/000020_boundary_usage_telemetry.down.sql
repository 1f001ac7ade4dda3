DROP TABLE IF EXISTS telemetry_locks;
DROP TABLE IF EXISTS boundary_usage_stats;
