import type { IncomingMessage } from 'node:http';
import type { Database } from '../../db/index.js';
import type { TokenCheck } from '../../db/queries/api-keys.js';
import { Store, type StoreOptions } from '../dbauthz/store.js';
import { orgMemberPermissions, SystemSubjects, userSubject, type OrgPermissions, type Subject } from '../rbac/index.js';
import type { AuthorizationUserRoles } from '../users/types.js';
import { unauthorized } from './errors.js';
import { extractSessionToken } from '../../server/session-token.js';

/** Who a request acts as, and the store bound to them. */
export interface RequestContext {
  subject: Subject;
  store: Store;
  userId: string;
  username: string;
  apiKeyId: string;
}

export interface AuthDeps {
  db: Database;
  tokenCheck: TokenCheck;
  storeOptions: StoreOptions;
  /** `--disable-workspace-sharing`. */
  disableWorkspaceSharing: boolean;
}

function parseMemberRole(raw: { org: unknown; member: unknown } | null, sharingDisabled: boolean): OrgPermissions {
  if (raw && Array.isArray(raw.org) && Array.isArray(raw.member)) return raw as OrgPermissions;
  return orgMemberPermissions(sharingDisabled);
}

/** The RBAC subject of a user, as requests build it (roles, memberships, groups, key scopes). */
export function subjectOf(roles: AuthorizationUserRoles, scopes: string[], opts: { disableWorkspaceSharing: boolean }): Subject {
  return userSubject(
    {
      id: roles.id,
      username: roles.username,
      siteRoles: roles.roles,
      memberships: roles.memberships.map((m) => ({
        orgId: m.org_id,
        roles: m.roles,
        memberRole: parseMemberRole(m.member_role, m.sharing_disabled),
      })),
      groups: roles.groups,
      scopes,
    },
    { noWorkspaceSharing: opts.disableWorkspaceSharing },
  );
}

/**
 * Authenticates a request (Coder's ExtractAPIKey): the session token from the header, cookie
 * or bearer, checked through the shared cached token check; then the user's roles, loaded
 * fresh, make the request's RBAC subject.
 */
export function createAuthenticator(deps: AuthDeps): (req: IncomingMessage) => Promise<RequestContext> {
  const system = new Store(deps.db, deps.db, SystemSubjects.systemRestricted, deps.storeOptions);
  return async (req) => {
    const token = extractSessionToken(req.headers);
    if (!token) throw unauthorized('Cookie "coder_session_token" must be provided.');
    const principal = await deps.tokenCheck(token);
    if (!principal) throw unauthorized('API key is invalid or expired.');
    const roles = await system.users.getAuthorizationUserRoles(principal.userId);
    if (!roles) throw unauthorized('API key belongs to a user that does not exist.');
    if (roles.status === 'suspended') {
      throw unauthorized(`User is not active (status = "${roles.status}"). Contact an admin to reactivate your account.`);
    }
    if (roles.status === 'dormant') await system.users.updateUserStatus(roles.id, 'active');
    const subject = subjectOf(roles, principal.scopes, deps);
    return {
      subject,
      store: new Store(deps.db, deps.db, subject, deps.storeOptions),
      userId: roles.id,
      username: roles.username,
      apiKeyId: principal.apiKeyId,
    };
  };
}
