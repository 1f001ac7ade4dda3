import { Resources, resourceTypes, type ResourceType } from './resources.js';
import type { OrgPermissions, Permission, Role } from './types.js';

/**
 * Built-in roles, after coder/coder's `coderd/rbac/roles.go` (the version of the workspace-sharing
 * PRs, where workspace permissions of members live in the per-organization system role
 * `organization-member`).
 */

export const SiteRoles = ['owner', 'member', 'auditor', 'template-admin', 'user-admin'] as const;
export const OrgRoles = [
  'organization-admin',
  'organization-member',
  'organization-template-admin',
  'organization-user-admin',
  'organization-auditor',
] as const;
export type SiteRoleName = (typeof SiteRoles)[number];
export type OrgRoleName = (typeof OrgRoles)[number];

/** `{resource: [actions]}` → permission list. */
export function permissions(map: Partial<Record<ResourceType | '*', readonly string[]>>, negate = false): Permission[] {
  const out: Permission[] = [];
  for (const [resource_type, actions] of Object.entries(map)) {
    for (const action of actions ?? []) out.push({ negate, resource_type, action });
  }
  return out;
}

/** Every action on every resource but those listed (Coder's allPermsExcept). */
export function allPermsExcept(...except: ResourceType[]): Permission[] {
  return resourceTypes.filter((r) => !except.includes(r)).map((resource_type) => ({ negate: false, resource_type, action: '*' }));
}

const without = <T extends string>(list: readonly T[], ...drop: string[]): T[] => list.filter((a) => !drop.includes(a));

const dormantActions = ['read', 'delete', 'create', 'update', 'stop', 'create_agent', 'delete_agent', 'update_agent'];

export interface RoleOptions {
  /** `--disable-workspace-sharing`: negates workspace:share for members deployment-wide. */
  noWorkspaceSharing?: boolean;
}

function makeSiteRole(name: SiteRoleName, displayName: string, site: Permission[], user: Permission[] = []): Role {
  return { name, displayName, site, user, byOrg: {} };
}

/** A site-wide role by name; undefined for names that are not site roles. */
export function siteRole(name: string, opts: RoleOptions = {}): Role | undefined {
  switch (name) {
    case 'owner':
      return makeSiteRole('owner', 'Owner', [
        ...allPermsExcept('workspace_dormant', 'workspace', 'boundary_usage'),
        ...permissions({ workspace: Resources.workspace, workspace_dormant: dormantActions }),
      ]);
    case 'member':
      return makeSiteRole(
        'member',
        'Member',
        [
          ...permissions({ assign_role: ['read'], oauth2_app: ['read'] }),
          ...(opts.noWorkspaceSharing ? permissions({ workspace: ['share'] }, true) : []),
        ],
        [
          ...allPermsExcept('workspace_dormant', 'workspace', 'user', 'organization_member', 'boundary_usage'),
          ...permissions({ user: ['read', 'read_personal', 'update_personal'] }),
        ],
      );
    case 'auditor':
      return makeSiteRole(
        'auditor',
        'Auditor',
        permissions({
          assign_org_role: ['read'],
          audit_log: ['read'],
          template: ['read', 'view_insights'],
          user: ['read'],
          group: ['read'],
          group_member: ['read'],
          organization: ['read'],
          organization_member: ['read'],
          deployment_config: ['read'],
        }),
      );
    case 'template-admin':
      return makeSiteRole(
        'template-admin',
        'Template Admin',
        permissions({
          assign_org_role: ['read'],
          template: Resources.template,
          file: ['create', 'read'],
          workspace: ['read'],
          workspace_dormant: ['read'],
          provisioner_daemon: ['create', 'read', 'update', 'delete'],
          provisioner_jobs: ['create', 'read', 'update'],
          user: ['read'],
          group: ['read'],
          group_member: ['read'],
          organization: ['read'],
          organization_member: ['read'],
        }),
      );
    case 'user-admin':
      return makeSiteRole(
        'user-admin',
        'User Admin',
        permissions({
          assign_role: ['assign', 'unassign', 'read'],
          assign_org_role: ['assign', 'unassign', 'read'],
          user: ['create', 'read', 'update', 'delete', 'update_personal', 'read_personal'],
          group: ['create', 'read', 'update', 'delete'],
          group_member: ['read'],
          organization: ['read'],
          organization_member: ['create', 'read', 'update', 'delete'],
        }),
      );
    default:
      return undefined;
  }
}

/**
 * What every member of an organization may do there: read the organization, and own workspaces.
 * With sharing disabled, `workspace:share` leaves the member set and an org-level negation
 * blocks it for everyone in the organization, org admins included (site owners keep it).
 */
export function orgMemberPermissions(sharingDisabled: boolean): OrgPermissions {
  const org = permissions({
    provisioner_daemon: ['read'],
    organization: ['read'],
    assign_org_role: ['read'],
    ...(sharingDisabled ? {} : { organization_member: ['read'], group: ['read'] }),
  });
  if (sharingDisabled) org.push({ negate: true, resource_type: 'workspace', action: 'share' });
  const member = permissions({
    workspace: sharingDisabled ? without(Resources.workspace, 'share') : Resources.workspace,
    workspace_dormant: dormantActions,
    organization_member: ['read'],
    group_member: ['read'],
    task: Resources.task,
  });
  return { org, member };
}

/** An organization role by name, scoped to orgId; the org-member role takes its stored permissions. */
export function orgRole(name: string, orgId: string, stored?: OrgPermissions): Role | undefined {
  const scoped = (displayName: string, perms: OrgPermissions, site: Permission[] = []): Role => ({
    name,
    orgId,
    displayName,
    site,
    user: [],
    byOrg: { [orgId]: perms },
  });
  switch (name) {
    case 'organization-member':
      return scoped('', stored ?? orgMemberPermissions(false));
    case 'organization-admin':
      return scoped(
        'Organization Admin',
        {
          org: [
            ...allPermsExcept('workspace', 'workspace_dormant', 'assign_role', 'boundary_usage'),
            ...permissions({ workspace: without(Resources.workspace, 'application_connect', 'ssh'), workspace_dormant: dormantActions }),
          ],
          member: [],
        },
        permissions({ user: ['read'] }),
      );
    case 'organization-auditor':
      return scoped('Organization Auditor', {
        org: permissions({
          audit_log: ['read'],
          template: ['read', 'view_insights'],
          group: ['read'],
          group_member: ['read'],
          organization: ['read'],
          organization_member: ['read'],
        }),
        member: [],
      });
    case 'organization-user-admin':
      return scoped(
        'Organization User Admin',
        {
          org: permissions({
            assign_org_role: ['assign', 'unassign', 'read'],
            organization: ['read'],
            organization_member: ['create', 'read', 'update', 'delete'],
            group: Resources.group,
            group_member: Resources.group_member,
          }),
          member: [],
        },
        permissions({ user: ['read'] }),
      );
    case 'organization-template-admin':
      return scoped('Organization Template Admin', {
        org: permissions({
          template: Resources.template,
          file: ['create', 'read'],
          workspace: ['read'],
          workspace_dormant: ['read'],
          organization: ['read'],
          organization_member: ['read'],
          group: ['read'],
          group_member: ['read'],
          provisioner_daemon: ['create', 'read', 'update', 'delete'],
          provisioner_jobs: ['read', 'update', 'create'],
        }),
        member: [],
      });
    default:
      return undefined;
  }
}

/** Display names of assignable roles, for the API. */
export function roleDisplayName(name: string): string {
  return siteRole(name)?.displayName ?? orgRole(name, '00000000-0000-0000-0000-000000000000')?.displayName ?? name;
}

/**
 * Which roles holders of a role may assign (Coder's assignRoles): owners any, user admins
 * members, org admins any org role, org user admins org members.
 */
const assignable: Record<string, string[]> = {
  owner: [...SiteRoles, ...OrgRoles],
  'user-admin': ['member', 'organization-member'],
  'organization-admin': [...OrgRoles],
  'organization-user-admin': ['organization-member'],
};

/** Whether a subject holding `held` roles may assign (or remove) `role` (in `orgId` for org roles). */
export function canAssignRole(held: { name: string; orgId?: string }[], role: string, orgId?: string): boolean {
  return held.some((h) => {
    if (h.orgId && h.orgId !== orgId) return false;
    return (assignable[h.name] ?? []).includes(role);
  });
}
