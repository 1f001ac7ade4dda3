import type { TokenCheck } from '../db/index.js';
import type { Logger } from '../log.js';
import type { Breakers } from './breaker/index.js';
import type { ConcurrencyLimit, RateLimiter } from './limits.js';
import type { Provider } from './providers/index.js';
import type { Recorder } from './recorder/types.js';
import type { Upstreams } from './upstream.js';

/** A provider with what the hot path needs precomputed. */
export interface ResolvedProvider extends Provider {
  /** `basePathOf(baseUrl)`. */
  basePath: string;
  origin: string;
  /** The provider key header to inject in centralized mode; undefined without a key. */
  inject: [name: string, value: string] | undefined;
  /** Masked hint of the central key. */
  keyHint: string;
  /** Every status that counts as a breaker failure. */
  failureStatuses: number[];
  /** ws: or wss: origin for WebSocket routes. */
  wsOrigin: string;
}

/** Everything a bridge request handler uses, made once by createBridge. */
export interface BridgeContext {
  providers: Map<string, ResolvedProvider>;
  upstreams: Upstreams;
  tokenCheck: TokenCheck;
  allowByok: boolean;
  recorder: Recorder;
  recording: boolean;
  breakers: Breakers | undefined;
  /** Retry-After of an open circuit, seconds. */
  breakerRetryAfter: string;
  concurrency: ConcurrencyLimit;
  rate: RateLimiter;
  /** Largest bridged request body read (bytes). */
  maxBodyBytes: number;
  log: Logger;
}
