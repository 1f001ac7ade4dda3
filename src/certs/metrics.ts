import { Counter, Histogram } from 'prom-client';
import { registry } from '../metrics/index.js';

/** Leaf certificates served from the cache. */
export const certCacheHits = new Counter({
  name: 'coder_aibridgeproxyd_cert_cache_hits_total',
  help: 'Leaf certificates served from the cache (including callers that joined a minting in flight).',
  registers: [registry],
});

/** Leaf certificates that had to be minted. */
export const certCacheMisses = new Counter({
  name: 'coder_aibridgeproxyd_cert_cache_misses_total',
  help: 'Leaf certificates minted because none was cached.',
  registers: [registry],
});

/** Time to mint one leaf: build the TBS, sign it natively, build the TLS context. */
export const certMintDuration = new Histogram({
  name: 'coder_aibridgeproxyd_cert_mint_duration_seconds',
  help: 'Time to mint one leaf certificate and its TLS context.',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  registers: [registry],
});
