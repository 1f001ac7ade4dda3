import type { CertAuthority, LeafCache } from '../certs/index.js';
import type { Config } from '../config/index.js';
import type { TokenCheck } from '../db/index.js';
import type { Logger } from '../log.js';

export interface ProxyDeps {
  config: Config;
  ca: CertAuthority;
  /** Base URL of the API server that carries the bridge (`http://127.0.0.1:3000`). */
  bridgeUrl: string;
  /** Verdict on an API token (the caller caches it). */
  tokenCheck: TokenCheck;
  log: Logger;
}

export interface RunningProxy {
  address: string;
  /** The leaf certificate cache (minting counts, for tests and diagnostics). */
  leaves?: LeafCache;
  /** Stops accepting, waits up to graceMs for requests and tunnels in flight, then closes everything. */
  close(graceMs: number): Promise<void>;
}
