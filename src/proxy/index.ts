// The MITM forward proxy: intercepts allowlisted AI hosts into the bridge, tunnels the rest.
import type { Config } from '../config/index.js';
import { resolveProxySettings } from './validate.js';

export type { ProxyDeps, RunningProxy } from './types.js';

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
