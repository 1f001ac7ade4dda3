import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Database, TokenCheck } from '../db/index.js';
import type { Logger } from '../log.js';
import type { ApiModule } from '../server/index.js';
import { registerApiRoutes } from './api/routes.js';
import { maskKey } from './auth.js';
import { Breakers, retryAfterSeconds } from './breaker/index.js';
import { COMMON_FAILURE_STATUSES } from './breaker/verdict.js';
import type { BridgeContext, ResolvedProvider } from './context.js';
import { PROVIDER_ROUTE, providerHandler } from './handler.js';
import { ConcurrencyLimit, RateLimiter } from './limits.js';
import { resolveProviders } from './providers/index.js';
import { noopRecorder } from './recorder/types.js';
import { RecordWriter } from './recorder/writer.js';
import { startRetentionJob, type RetentionJob } from './retention.js';
import { basePathOf, upstreamOrigin } from './routes.js';
import { Upstreams } from './upstream.js';
import { websocketHandler } from './websocket.js';

export { listInterceptions, type InterceptionView, type ListOptions } from './api/queries.js';
export { parseInterceptionQuery, type InterceptionFilter } from './api/filter.js';
export { purgeOldRecords, startRetentionJob } from './retention.js';
export { RecordWriter } from './recorder/writer.js';
export type { Recorder } from './recorder/types.js';

export interface BridgeDeps {
  config: Config;
  db: Database;
  log: Logger;
  tokenCheck: TokenCheck;
  /** The MITM CA certificate, served at /api/v2/aibridge/proxy/ca-cert.pem; undefined when the proxy is disabled. */
  caCertPem?: string;
}

/** The bridge as an API module, with handles for tests and the benchmark. */
export interface Bridge extends ApiModule {
  /** The circuits (undefined when the breaker is disabled). */
  breakers: Breakers | undefined;
  /** The recorder (undefined when recording is disabled). */
  recorder: RecordWriter | undefined;
  retention: RetentionJob;
}

/** Largest bridged request body (Claude Code sends long contexts and images). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function resolve(config: Config): Map<string, ResolvedProvider> {
  const out = new Map<string, ResolvedProvider>();
  for (const [name, p] of resolveProviders(config)) {
    const origin = upstreamOrigin(p.baseUrl);
    out.set(name, {
      ...p,
      basePath: basePathOf(p.baseUrl),
      origin,
      wsOrigin: origin.replace(/^http/, 'ws'),
      inject: p.key ? [p.keyHeader, p.formatKey(p.key)] : undefined,
      keyHint: maskKey(p.key),
      failureStatuses: [...COMMON_FAILURE_STATUSES, ...p.extraFailureStatuses],
    });
  }
  return out;
}

/**
 * The AI bridge, mounted on the API server under `/api/v2/aibridge/{provider}/…` (HTTP and
 * WebSocket), with the interceptions list and the proxy CA download beside it. `close()`
 * flushes the recorder and stops the retention job.
 */
export function createBridge(deps: BridgeDeps): Bridge {
  const { config, db } = deps;
  const log = deps.log.child({ module: 'bridge' });
  const cfg = config.aibridge;
  const cb = cfg.circuitBreaker;
  const breakers = cb.enabled
    ? new Breakers({ failureThreshold: cb.failureThreshold, interval: cb.interval, timeout: cb.timeout, maxRequests: cb.maxRequests })
    : undefined;
  const recorder = cfg.recording.enabled
    ? new RecordWriter({
        db,
        spoolDir: join(config.dataDir, 'spool'),
        queueSize: cfg.recording.queueSize,
        batchSize: cfg.recording.batchSize,
        flushInterval: cfg.recording.flushInterval,
        log: log.child({ module: 'recorder' }),
      })
    : undefined;
  const upstreams = new Upstreams({ timeout: cfg.upstreamTimeout });
  const ctx: BridgeContext = {
    providers: resolve(config),
    upstreams,
    tokenCheck: deps.tokenCheck,
    allowByok: cfg.allowByok,
    recorder: recorder ?? noopRecorder,
    recording: recorder !== undefined,
    breakers,
    breakerRetryAfter: String(retryAfterSeconds(cb.timeout)),
    concurrency: new ConcurrencyLimit(cfg.maxConcurrency),
    rate: new RateLimiter(cfg.rateLimit),
    maxBodyBytes: MAX_BODY_BYTES,
    log,
  };
  const retention = startRetentionJob({ db, retentionMs: cfg.retention, log });
  const ws = websocketHandler(ctx);

  return {
    name: 'bridge',
    breakers,
    recorder,
    retention,
    register(router) {
      registerApiRoutes(router, { db, tokenCheck: deps.tokenCheck, caCertPem: deps.caCertPem });
      if (!cfg.enabled) return;
      router.on(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], PROVIDER_ROUTE, providerHandler(ctx));
      router.onUpgrade(PROVIDER_ROUTE, ws);
    },
    async close() {
      ws.close();
      await retention.stop();
      breakers?.close();
      await recorder?.close();
      await upstreams.close();
    },
  };
}
