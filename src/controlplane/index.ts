// CONTRACT (owned by the control-plane work): replace this stub with the real implementation.
import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { TokenCheck } from '../db/queries/api-keys.js';
import type { Logger } from '../log.js';
import type { ApiModule } from '../server/api-server.js';

export { bootstrapFirstUser, type BootstrapResult } from './bootstrap.js';

export interface ControlPlaneDeps {
  config: Config;
  db: Database;
  log: Logger;
  tokenCheck: TokenCheck;
}

export function createControlPlane(_deps: ControlPlaneDeps): ApiModule {
  return { name: 'controlplane', register: () => {} };
}
