import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process-wide Prometheus registry. Metrics are module-level singletons registered here;
 * the metrics listener serves it. Process metrics (CPU, memory, event loop, GC) are included.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });
