// CONTRACT (owned by the bridge work): replace this stub with the real implementation.
import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { TokenCheck } from '../db/queries/api-keys.js';
import type { Logger } from '../log.js';
import type { ApiModule } from '../server/api-server.js';

export interface BridgeDeps {
  config: Config;
  db: Database;
  log: Logger;
  tokenCheck: TokenCheck;
  /** The MITM CA certificate, served at /api/v2/aibridge/proxy/ca-cert.pem; undefined when the proxy is disabled. */
  caCertPem?: string;
}

export function createBridge(_deps: BridgeDeps): ApiModule {
  return { name: 'bridge', register: () => {} };
}
