// CONTRACT: createControlPlane({config, db, log, tokenCheck}) → ApiModule, and bootstrapFirstUser.
import type { Config } from '../config/index.js';
import { ensureDefaultOrganization, type Database, type TokenCheck } from '../db/index.js';
import type { Logger } from '../log.js';
import type { ApiModule } from '../server/index.js';
import { startBoundaryUsage, type BoundaryUsage } from './boundaryusage/index.js';
import { Store, type StoreOptions } from './dbauthz/store.js';
import type { ControlPlaneContext } from './deps.js';
import { registerFileRoutes } from './files/routes.js';
import { createAuthenticator } from './httpapi/context.js';
import { routes } from './httpapi/route.js';
import { registerLicenseRoutes } from './license/routes.js';
import { LicenseService, loadPublicKey, type LicenseKeys } from './license/service.js';
import { registerAgentRoutes } from './agents/routes.js';
import { registerOAuth2Routes } from './oauth2/routes.js';
import { registerOrgRoutes } from './orgs/routes.js';
import { registerProvisionerRoutes } from './provisioner/routes.js';
import { EchoProvisioner } from './provisioner/runner.js';
import { orgMemberPermissions, SystemSubjects } from './rbac/index.js';
import { registerTaskRoutes } from './tasks/routes.js';
import { registerTemplateRoutes } from './templates/routes.js';
import { registerUserRoutes } from './users/routes.js';
import { registerWorkspaceRoutes } from './workspaces/routes.js';

export { bootstrapFirstUser, type BootstrapResult } from './bootstrap.js';

export interface ControlPlaneDeps {
  config: Config;
  db: Database;
  log: Logger;
  tokenCheck: TokenCheck;
  /** License verification keys by kid (tests); the `licensePublicKey` setting adds one for any kid. */
  licenseKeys?: LicenseKeys;
  /** Run the built-in echo provisioner in this process (default true). */
  echoProvisioner?: boolean;
  /** How often the echo provisioner looks for jobs queued by other replicas. */
  provisionerPollMs?: number;
}

export interface ControlPlane extends ApiModule {
  /** Resolves when startup work (roles, default organization, entitlements) is done. */
  ready: Promise<void>;
  provisioner?: EchoProvisioner;
  license: LicenseService;
  /** A system-restricted store (tests, tools). */
  system: Store;
  /** Boundary usage of this replica: agents' boundary logs feed `boundaryUsage.tracker`. */
  boundaryUsage: BoundaryUsage;
}

/**
 * The control plane: Coder's data model (users, organizations, RBAC, templates, workspaces,
 * builds, provisioner jobs, licenses, OAuth2 apps) behind its REST API under /api/v2, every
 * query authorized through the dbauthz store.
 */
export function createControlPlane(deps: ControlPlaneDeps): ControlPlane {
  const log = deps.log.child({ module: 'controlplane' });
  const storeOptions: StoreOptions = { deploymentSharingDisabled: deps.config.disableWorkspaceSharing };
  const system = new Store(deps.db, deps.db, SystemSubjects.systemRestricted, storeOptions);
  const authenticate = createAuthenticator({
    db: deps.db,
    tokenCheck: deps.tokenCheck,
    storeOptions,
    disableWorkspaceSharing: deps.config.disableWorkspaceSharing,
  });

  const keys: LicenseKeys = { ...(deps.licenseKeys ?? {}) };
  if (deps.config.licensePublicKey) {
    try {
      keys['*'] = loadPublicKey(deps.config.licensePublicKey);
    } catch (err) {
      log.error({ err }, 'license public key unreadable; licenses will not verify');
    }
  }
  const license = new LicenseService(system, deps.config.license, keys, log);
  const boundaryUsage = startBoundaryUsage({ store: system, log });
  const provisioner = deps.echoProvisioner === false ? undefined : new EchoProvisioner(deps.db, storeOptions, log, deps.provisionerPollMs);

  const cp: ControlPlaneContext = {
    config: deps.config,
    db: deps.db,
    log,
    route: routes(authenticate),
    storeOptions,
    system,
    forgetTokens: () => (deps.tokenCheck as { clear?: () => void }).clear?.(),
    jobQueued: () => provisioner?.kick(),
    entitlementsChanged: () => void license.changed(),
  };

  const ready = (async () => {
    await ensureDefaultOrganization(deps.db);
    // The organization-member system role follows each organization's sharing switch.
    for (const org of await system.orgs.getOrganizations()) {
      await system.orgs.upsertOrgMemberSystemRole(org.id, orgMemberPermissions(org.workspace_sharing_disabled));
    }
    await license.refresh();
    license.start();
    provisioner?.start();
  })();
  ready.catch((err) => log.error({ err }, 'control plane startup failed'));

  return {
    name: 'controlplane',
    ready,
    provisioner,
    license,
    system,
    boundaryUsage,
    register(router) {
      registerUserRoutes(router, cp);
      registerOrgRoutes(router, cp);
      registerFileRoutes(router, cp);
      registerTemplateRoutes(router, cp);
      registerWorkspaceRoutes(router, cp);
      registerProvisionerRoutes(router, cp, (id) => provisioner?.notifyCompleted(id));
      registerLicenseRoutes(router, cp, license);
      registerOAuth2Routes(router, cp);
      registerAgentRoutes(router, cp);
      registerTaskRoutes(router, cp);
    },
    async close() {
      await ready.catch(() => {});
      license.close();
      await boundaryUsage.stop();
      await provisioner?.close();
    },
  };
}
