import type { RbacObject } from './types.js';

/**
 * The resource types and the actions each accepts (a subset of coder/coder's
 * `coderd/rbac/policy/policy.go`, with its names).
 */
export const Resources = {
  api_key: ['create', 'read', 'update', 'delete'],
  assign_org_role: ['assign', 'unassign', 'read', 'create', 'update', 'delete'],
  assign_role: ['assign', 'unassign', 'read'],
  audit_log: ['create', 'read'],
  boundary_usage: ['read', 'update', 'delete'],
  deployment_config: ['read', 'update'],
  file: ['create', 'read'],
  group: ['create', 'read', 'update', 'delete'],
  group_member: ['read'],
  license: ['create', 'read', 'delete'],
  notification_message: ['create', 'read', 'update', 'delete'],
  oauth2_app: ['create', 'read', 'update', 'delete'],
  oauth2_app_code_token: ['create', 'read', 'delete'],
  oauth2_app_secret: ['create', 'read', 'update', 'delete'],
  organization: ['create', 'read', 'update', 'delete'],
  organization_member: ['create', 'read', 'update', 'delete'],
  provisioner_daemon: ['create', 'read', 'update', 'delete'],
  provisioner_jobs: ['create', 'read', 'update'],
  system: ['create', 'read', 'update', 'delete'],
  tailnet_coordinator: ['create', 'read', 'update', 'delete'],
  task: ['create', 'read', 'update', 'delete'],
  template: ['create', 'read', 'update', 'delete', 'use', 'view_insights'],
  user: ['create', 'read', 'update', 'delete', 'read_personal', 'update_personal'],
  workspace: ['create', 'read', 'update', 'delete', 'start', 'stop', 'ssh', 'application_connect', 'share', 'create_agent', 'delete_agent', 'update_agent'],
  workspace_dormant: ['create', 'read', 'update', 'delete', 'start', 'stop', 'ssh', 'application_connect', 'share', 'create_agent', 'delete_agent', 'update_agent'],
} as const satisfies Record<string, readonly string[]>;

export type ResourceType = keyof typeof Resources;
export type Action<T extends ResourceType = ResourceType> = (typeof Resources)[T][number];

export const resourceTypes = Object.keys(Resources) as ResourceType[];

// Object constructors, one per kind of row: they say which fields authorization looks at.

export const userObject = (id: string): RbacObject => ({ type: 'user', id, owner: id });
export const apiKeyObject = (id: string, userId: string): RbacObject => ({ type: 'api_key', id, owner: userId });
export const organizationObject = (id: string): RbacObject => ({ type: 'organization', id, orgId: id });
export const organizationMemberObject = (orgId: string, userId: string): RbacObject => ({
  type: 'organization_member',
  id: userId,
  owner: userId,
  orgId,
});
/** Members of a group may read it (Coder adds them to its ACL implicitly). */
export const groupObject = (id: string, orgId: string, memberIds: string[] = []): RbacObject => ({
  type: 'group',
  id,
  orgId,
  aclUsers: Object.fromEntries(memberIds.map((m) => [m, ['read']])),
});
export const fileObject = (id: string, createdBy: string): RbacObject => ({ type: 'file', id, owner: createdBy });
export const templateObject = (t: {
  id?: string;
  organization_id: string;
  user_acl?: Record<string, string[]>;
  group_acl?: Record<string, string[]>;
}): RbacObject => ({
  type: 'template',
  id: t.id,
  orgId: t.organization_id,
  aclUsers: t.user_acl ?? {},
  aclGroups: t.group_acl ?? {},
});
export const provisionerJobObject = (id: string | undefined, orgId: string): RbacObject => ({ type: 'provisioner_jobs', id, orgId });
export const licenseObject = (): RbacObject => ({ type: 'license' });
export const systemObject = (): RbacObject => ({ type: 'system' });
export const oauth2AppObject = (id?: string): RbacObject => ({ type: 'oauth2_app', id });
export const boundaryUsageObject = (): RbacObject => ({ type: 'boundary_usage' });
