import { Resources } from './resources.js';
import type { RbacObject } from './types.js';

/** Workspace ACL roles (Coder's `codersdk.WorkspaceRole`); '' removes an entry. */
export type WorkspaceRole = 'admin' | 'use' | '';
/** Template ACL roles (Coder's `codersdk.TemplateRole`); '' removes an entry. */
export type TemplateRole = 'admin' | 'use' | '';

/** The stored workspace ACL: `{ "<uuid>": { "permissions": ["read", …] } }`. */
export type WorkspaceAcl = Record<string, { permissions: string[] }>;
/** The stored template ACL: `{ "<uuid>": ["read", "use"] }`. */
export type TemplateAcl = Record<string, string[]>;

/**
 * Actions a workspace role grants. "admin" is every workspace action but delete ("don't let
 * anyone delete something they can't recreate"); "use" connects, starts and stops.
 */
export function workspaceRoleActions(role: WorkspaceRole): string[] {
  if (role === 'admin') return Resources.workspace.filter((a) => a !== 'delete');
  if (role === 'use') return ['application_connect', 'read', 'ssh', 'start', 'stop'];
  return [];
}

/** The role that a stored list of actions amounts to (for reading ACLs back). */
export function workspaceRoleOf(actions: string[]): WorkspaceRole {
  if (actions.includes('share') || actions.includes('update')) return 'admin';
  return actions.length ? 'use' : '';
}

export function templateRoleActions(role: TemplateRole): string[] {
  if (role === 'admin') return ['*'];
  if (role === 'use') return ['read', 'use'];
  return [];
}

export function templateRoleOf(actions: string[]): TemplateRole {
  if (actions.includes('*')) return 'admin';
  return actions.length ? 'use' : '';
}

/** The RBAC view of a stored workspace ACL. */
export function workspaceAclActions(acl: WorkspaceAcl | null | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, entry] of Object.entries(acl ?? {})) out[id] = entry?.permissions ?? [];
  return out;
}

/**
 * The RBAC object of a workspace. With sharing disabled deployment-wide, the ACLs are left out
 * of the object (coder/coder PR #21172), so stored entries grant nothing.
 */
export function workspaceObject(
  w: { id?: string; owner_id: string; organization_id: string; user_acl?: WorkspaceAcl; group_acl?: WorkspaceAcl; dormant_at?: Date | null },
  opts: { sharingDisabled?: boolean } = {},
): RbacObject {
  return {
    type: w.dormant_at ? 'workspace_dormant' : 'workspace',
    id: w.id,
    owner: w.owner_id,
    orgId: w.organization_id,
    aclUsers: opts.sharingDisabled ? {} : workspaceAclActions(w.user_acl),
    aclGroups: opts.sharingDisabled ? {} : workspaceAclActions(w.group_acl),
  };
}
