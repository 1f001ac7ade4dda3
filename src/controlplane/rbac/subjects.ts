import { permissions, orgRole, siteRole, type RoleOptions } from './roles.js';
import type { OrgPermissions, Role, Subject } from './types.js';

/** One organization membership as loaded for a subject. */
export interface Membership {
  orgId: string;
  roles: string[];
  /** The stored permissions of that organization's `organization-member` system role, if any. */
  memberRole?: OrgPermissions;
}

/**
 * The subject of a user's request: the implicit `member` site role plus the stored site roles,
 * and per organization the implicit `organization-member` role plus the stored org roles.
 * Unknown role names grant nothing.
 */
export function userSubject(
  u: { id: string; username: string; siteRoles: string[]; memberships: Membership[]; groups: string[]; scopes: string[] },
  opts: RoleOptions = {},
): Subject {
  const roles: Role[] = [];
  for (const name of new Set(['member', ...u.siteRoles])) {
    const r = siteRole(name, opts);
    if (r) roles.push(r);
  }
  for (const m of u.memberships) {
    for (const name of new Set(['organization-member', ...m.roles])) {
      const r = orgRole(name, m.orgId, name === 'organization-member' ? m.memberRole : undefined);
      if (r) roles.push(r);
    }
  }
  return {
    id: u.id,
    friendlyName: u.username,
    type: 'user',
    roles,
    groups: u.groups,
    orgIds: u.memberships.map((m) => m.orgId),
    scopes: u.scopes.length ? u.scopes : ['all'],
  };
}

function system(id: string, friendlyName: string, site: Role['site']): Subject {
  return {
    id,
    friendlyName,
    type: 'system',
    roles: [{ name: friendlyName, displayName: '', site, user: [], byOrg: {} }],
    groups: [],
    orgIds: [],
    scopes: ['all'],
  };
}

/**
 * Internal subjects for work no user performs (Coder's dbauthz.As… contexts). Each has the
 * least it needs; none is reachable from a request's credentials.
 */
export const SystemSubjects = {
  /**
   * Broad internal reads and bookkeeping (token lookups, workspace counts when deleting a
   * template), but never template update or delete, nor boundary usage.
   */
  systemRestricted: system('00000000-0000-0000-0000-00000000000a', 'system-restricted', [
    ...permissions({
      api_key: ['create', 'read', 'update', 'delete'],
      assign_org_role: ['read', 'assign', 'unassign', 'create', 'update', 'delete'],
      assign_role: ['read', 'assign', 'unassign'],
      file: ['create', 'read'],
      group: ['create', 'read', 'update', 'delete'],
      group_member: ['read'],
      license: ['read'],
      oauth2_app: ['create', 'read'],
      oauth2_app_code_token: ['create', 'read', 'delete'],
      oauth2_app_secret: ['create', 'read', 'update'],
      organization: ['create', 'read', 'update'],
      organization_member: ['create', 'read', 'update', 'delete'],
      provisioner_daemon: ['read'],
      provisioner_jobs: ['create', 'read', 'update'],
      system: ['create', 'read', 'update', 'delete'],
      template: ['read'],
      user: ['create', 'read', 'update', 'read_personal', 'update_personal'],
      workspace: ['read', 'update'],
      workspace_dormant: ['read', 'update'],
    }),
  ]),
  /** The provisioner daemon: reads templates and files, completes jobs, writes builds' results. */
  provisionerd: system('00000000-0000-0000-0000-00000000000b', 'provisionerd', [
    ...permissions({
      file: ['read'],
      template: ['read', 'update'],
      user: ['read'],
      organization: ['read'],
      group: ['read'],
      provisioner_jobs: ['create', 'read', 'update'],
      provisioner_daemon: ['read'],
      workspace: ['read', 'update', 'delete', 'create_agent', 'update_agent', 'delete_agent', 'start', 'stop'],
      workspace_dormant: ['read', 'update', 'delete', 'create_agent', 'update_agent', 'delete_agent', 'stop'],
      api_key: ['create', 'read', 'update', 'delete'],
    }),
  ]),
  /**
   * The workspace builder: copies the previous build's provisioner state into a new build, so a
   * member without template:update can build. Template read and update, nothing else.
   */
  workspaceBuilder: system('00000000-0000-0000-0000-00000000000c', 'workspace-builder', [...permissions({ template: ['read', 'update'] })]),
  /** Boundary usage telemetry: the only subject with access to boundary_usage. */
  boundaryUsageTracker: system('00000000-0000-0000-0000-00000000000d', 'boundary-usage-tracker', [
    ...permissions({ boundary_usage: ['read', 'update', 'delete'] }),
  ]),
  /** Notifications: reads users and templates, writes messages. */
  notifier: system('00000000-0000-0000-0000-00000000000e', 'notifier', [
    ...permissions({ notification_message: ['create', 'read', 'update', 'delete'], user: ['read'], template: ['read'], workspace: ['read'] }),
  ]),
} as const;

export type SystemSubjectName = keyof typeof SystemSubjects;
