// The MITM forward proxy: intercepts allowlisted AI hosts into the bridge, tunnels the rest.
import type { CertAuthority, LeafCache } from '../certs/index.js';
import type { Config } from '../config/index.js';
import type { TokenCheck } from '../db/queries/api-keys.js';
import type { Logger } from '../log.js';
import { resolveProxySettings } from './validate.js';

export interface ProxyDeps {
  config: Config;
  ca: CertAuthority;
  /** Base URL of the API server that carries the bridge (`http://127.0.0.1:3000`). */
  bridgeUrl: string;
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

/** Start-up validation of the proxy settings (allowlist, upstream, CIDRs); returns every problem. */
export function validateProxyConfig(config: Config): string[] {
  return resolveProxySettings(config).problems;
}

export { startProxy } from './server.js';
export { parseAllowlist, allowlistedProvider, type Allowlist } from './allowlist.js';
export { decideConnect, parseConnectTarget, type ConnectVerdict } from './connect-verdict.js';
export { isBlockedAddress, BLOCKED_RANGES } from './private-address.js';
export { bridgePath } from './url-rewrite.js';
export { hostProviders } from './providers.js';
export { TOKEN_HEADER, REQUEST_ID_HEADER } from './headers.js';
