// CONTRACT (owned by the proxy work): replace this stub with the real implementation.
import type { CertAuthority } from '../certs/index.js';
import type { Config } from '../config/index.js';
import type { TokenCheck } from '../db/queries/api-keys.js';
import type { Logger } from '../log.js';

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
  close(graceMs: number): Promise<void>;
}

/** Start-up validation of the proxy settings (allowlist, upstream, CIDRs); returns every problem. */
export function validateProxyConfig(_config: Config): string[] {
  return [];
}

export async function startProxy(_deps: ProxyDeps): Promise<RunningProxy> {
  throw new Error('proxy: not implemented yet');
}
