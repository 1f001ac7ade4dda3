import { Counter, Gauge } from 'prom-client';
import { registry } from '../metrics/index.js';

// Coder's names (enterprise/aibridgeproxyd/metrics.go), prefix coder_aibridgeproxyd_.

export const connectSessions = new Counter({
  name: 'coder_aibridgeproxyd_connect_sessions_total',
  help: 'CONNECT sessions established, by type (mitm or tunneled).',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const mitmRequests = new Counter({
  name: 'coder_aibridgeproxyd_mitm_requests_total',
  help: 'Decrypted requests forwarded to the bridge, by provider.',
  labelNames: ['provider'] as const,
  registers: [registry],
});

export const inflightMitmRequests = new Gauge({
  name: 'coder_aibridgeproxyd_inflight_mitm_requests',
  help: 'Decrypted requests in flight, by provider.',
  labelNames: ['provider'] as const,
  registers: [registry],
});

export const mitmResponses = new Counter({
  name: 'coder_aibridgeproxyd_mitm_responses_total',
  help: 'Responses to decrypted requests, by status code and provider.',
  labelNames: ['code', 'provider'] as const,
  registers: [registry],
});

export const mitmSessions = connectSessions.labels({ type: 'mitm' });
export const tunneledSessions = connectSessions.labels({ type: 'tunneled' });

export interface ProviderMetrics {
  requests: Counter.Internal;
  inflight: Gauge.Internal<'provider'>;
  responses: Map<number, Counter.Internal>;
}

const byProvider = new Map<string, ProviderMetrics>();

/** Label-bound children per provider, made once: the hot path does no label lookups. */
export function providerMetrics(provider: string): ProviderMetrics {
  let m = byProvider.get(provider);
  if (!m) {
    m = { requests: mitmRequests.labels({ provider }), inflight: inflightMitmRequests.labels({ provider }), responses: new Map() };
    byProvider.set(provider, m);
  }
  return m;
}

export function countResponse(m: ProviderMetrics, provider: string, code: number): void {
  let c = m.responses.get(code);
  if (!c) {
    c = mitmResponses.labels({ code: String(code), provider });
    m.responses.set(code, c);
  }
  c.inc();
}
