import { Counter, Histogram } from 'prom-client';
import { registry } from '../metrics/index.js';
import { routeContext } from './context.js';

const queryCounts = new Counter({
  name: 'coderd_db_query_counts_total',
  help: 'Total number of queries labelled by HTTP route, method, and query name.',
  labelNames: ['route', 'method', 'query'],
  registers: [registry],
});

const queryLatencies = new Histogram({
  name: 'coderd_db_query_latencies_seconds',
  help: 'Latency distribution of queries in seconds.',
  labelNames: ['query'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 10, 30],
  registers: [registry],
});

/** Counts a query against the route of the request it runs for (empty labels in background work). */
export function observeQuery(name: string, seconds: number): void {
  const rc = routeContext.getStore();
  queryCounts.inc({ route: rc?.route ?? '', method: rc?.method ?? '', query: name });
  queryLatencies.observe({ query: name }, seconds);
}
