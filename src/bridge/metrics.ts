import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../metrics/index.js';
import { modelLabel } from './model-label.js';

/**
 * The bridge's metrics, with Coder's names and labels (coder/aibridge: metrics/metrics.go, under
 * coderd's `coder_aibridged_` prefix), plus the recorder's own.
 */
const registers = [registry];

export const interceptionsTotal = new Counter({
  name: 'coder_aibridged_interceptions_total',
  help: 'Intercepted requests, by how they ended.',
  labelNames: ['provider', 'model', 'status', 'route', 'method', 'initiator_id', 'client'] as const,
  registers,
});

export const interceptionsInflight = new Gauge({
  name: 'coder_aibridged_interceptions_inflight',
  help: 'Intercepted requests in flight.',
  labelNames: ['provider', 'model', 'route'] as const,
  registers,
});

export const interceptionsDuration = new Histogram({
  name: 'coder_aibridged_interceptions_duration_seconds',
  help: 'Duration of intercepted requests.',
  labelNames: ['provider', 'model'] as const,
  buckets: [0.5, 2, 5, 15, 30, 60, 120],
  registers,
});

export const passthroughTotal = new Counter({
  name: 'coder_aibridged_passthrough_total',
  help: 'Requests forwarded untouched (not intercepted).',
  labelNames: ['provider', 'route', 'method'] as const,
  registers,
});

export const promptsTotal = new Counter({
  name: 'coder_aibridged_prompts_total',
  help: 'User prompts seen.',
  labelNames: ['provider', 'model', 'initiator_id', 'client'] as const,
  registers,
});

export const tokensTotal = new Counter({
  name: 'coder_aibridged_tokens_total',
  help: 'Tokens used, by type (input, output, cache_read_input_tokens, …).',
  labelNames: ['provider', 'model', 'type', 'initiator_id', 'client'] as const,
  registers,
});

export const nonInjectedToolSelections = new Counter({
  name: 'coder_aibridged_non_injected_tool_selections_total',
  help: 'Tool calls chosen by the model for tools the client defined.',
  labelNames: ['provider', 'model', 'name'] as const,
  registers,
});

export const breakerState = new Gauge({
  name: 'coder_aibridged_circuit_breaker_state',
  help: 'Circuit state: 0 closed, 0.5 half-open, 1 open.',
  labelNames: ['provider', 'endpoint', 'model'] as const,
  registers,
});

export const breakerTrips = new Counter({
  name: 'coder_aibridged_circuit_breaker_trips_total',
  help: 'Times a circuit opened.',
  labelNames: ['provider', 'endpoint', 'model'] as const,
  registers,
});

export const breakerRejects = new Counter({
  name: 'coder_aibridged_circuit_breaker_rejects_total',
  help: 'Requests refused by an open circuit.',
  labelNames: ['provider', 'endpoint', 'model'] as const,
  registers,
});

export const overloadRejects = new Counter({
  name: 'coder_aibridged_overload_rejects_total',
  help: 'Requests refused by the concurrency cap (reason=concurrency) or the per-token rate limit (reason=rate).',
  labelNames: ['reason'] as const,
  registers,
});

export const recorderQueueDepth = new Gauge({
  name: 'coder_aibridged_recorder_queue_depth',
  help: 'Records waiting in memory to be written.',
  registers,
});

export const recorderSpoolRecords = new Gauge({
  name: 'coder_aibridged_recorder_spool_records',
  help: 'Records waiting in the disk spool for the database to come back.',
  registers,
});

export const recorderSpoolBytes = new Gauge({
  name: 'coder_aibridged_recorder_spool_bytes',
  help: 'Size of the disk spool.',
  registers,
});

export const recorderRecordsWritten = new Counter({
  name: 'coder_aibridged_recorder_records_written_total',
  help: 'Records written to the database, by kind.',
  labelNames: ['kind'] as const,
  registers,
});

export const recorderWriteFailures = new Counter({
  name: 'coder_aibridged_recorder_write_failures_total',
  help: 'Batches the database refused or could not take (then spooled to disk).',
  registers,
});

export const recorderDropped = new Counter({
  name: 'coder_aibridged_recorder_records_dropped_total',
  help: 'Records given up on: a batch the database rejects while it is up, set aside in spool/rejected.',
  registers,
});

type Child<T extends { labels(...a: string[]): unknown }> = ReturnType<T['labels']>;

/** The metric children of one (provider, model, route, initiator, client), made once. */
export interface InterceptionMetrics {
  /** The model's label (bounded: see model-label.ts). */
  model: string;
  inflight: Child<typeof interceptionsInflight>;
  duration: Child<typeof interceptionsDuration>;
  completed: Child<typeof interceptionsTotal>;
  failed: Child<typeof interceptionsTotal>;
  prompts: Child<typeof promptsTotal>;
  tokens(type: string): Child<typeof tokensTotal>;
}

const cache = new Map<string, InterceptionMetrics>();

/**
 * Resolving labels costs more than the increment itself, so the children of each label set are
 * kept; the set is bounded like the metrics' own cardinality (cleared past 10,000 entries).
 * `rawModel` is the client's model name; its label is bounded by `modelLabel`.
 */
export function interceptionMetrics(provider: string, rawModel: string, route: string, initiatorId: string, client: string): InterceptionMetrics {
  const model = modelLabel(provider, rawModel);
  const key = `${provider}\u0000${model}\u0000${route}\u0000${initiatorId}\u0000${client}`;
  let m = cache.get(key);
  if (m) return m;
  if (cache.size >= 10_000) cache.clear();
  const tokens = new Map<string, Child<typeof tokensTotal>>();
  m = {
    model,
    inflight: interceptionsInflight.labels(provider, model, route),
    duration: interceptionsDuration.labels(provider, model),
    completed: interceptionsTotal.labels(provider, model, 'completed', route, 'POST', initiatorId, client),
    failed: interceptionsTotal.labels(provider, model, 'failed', route, 'POST', initiatorId, client),
    prompts: promptsTotal.labels(provider, model, initiatorId, client),
    tokens(type) {
      let c = tokens.get(type);
      if (!c) tokens.set(type, (c = tokensTotal.labels(provider, model, type, initiatorId, client)));
      return c;
    },
  };
  cache.set(key, m);
  return m;
}
