import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import type { OrgPermissions } from '../rbac/index.js';
import { isUuid } from '../ids.js';
import type { Group, Organization, OrganizationMember, OrganizationMemberWithUser } from './types.js';

const ORG = 'id, name, display_name, description, icon, created_at, updated_at, is_default, deleted, workspace_sharing_disabled';

export async function getOrganizations(q: Queryable): Promise<Organization[]> {
  return q.query<Organization>('GetOrganizations', `SELECT ${ORG} FROM organizations WHERE deleted = false ORDER BY created_at`);
}

export async function getOrganizationByID(q: Queryable, id: string): Promise<Organization | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<Organization>('GetOrganizationByID', `SELECT ${ORG} FROM organizations WHERE id = $1 AND deleted = false`, [id]);
  return rows[0];
}

export async function getOrganizationByName(q: Queryable, name: string): Promise<Organization | undefined> {
  const rows = await q.query<Organization>(
    'GetOrganizationByName',
    `SELECT ${ORG} FROM organizations WHERE lower(name) = lower($1) AND deleted = false`,
    [name],
  );
  return rows[0];
}

export async function getDefaultOrganization(q: Queryable): Promise<Organization | undefined> {
  const rows = await q.query<Organization>('GetDefaultOrganization', `SELECT ${ORG} FROM organizations WHERE is_default = true AND deleted = false`);
  return rows[0];
}

export async function insertOrganization(q: Queryable, o: { name: string; displayName: string; description: string; icon: string }): Promise<Organization> {
  const rows = await q.query<Organization>(
    'InsertOrganization',
    `INSERT INTO organizations (id, name, display_name, description, icon, created_at, updated_at, is_default)
     VALUES ($1, $2, $3, $4, $5, now(), now(), false) RETURNING ${ORG}`,
    [randomUUID(), o.name, o.displayName, o.description, o.icon],
  );
  return rows[0];
}

export async function updateOrganizationWorkspaceSharingSettings(q: Queryable, id: string, disabled: boolean): Promise<Organization> {
  const rows = await q.query<Organization>(
    'UpdateOrganizationWorkspaceSharingSettings',
    `UPDATE organizations SET workspace_sharing_disabled = $2, updated_at = now() WHERE id = $1 RETURNING ${ORG}`,
    [id, disabled],
  );
  return rows[0];
}

const MEMBER = 'user_id, organization_id, created_at, updated_at, roles';

export async function getOrganizationMember(q: Queryable, orgId: string, userId: string): Promise<OrganizationMember | undefined> {
  const rows = await q.query<OrganizationMember>(
    'GetOrganizationMember',
    `SELECT ${MEMBER} FROM organization_members WHERE organization_id = $1 AND user_id = $2`,
    [orgId, userId],
  );
  return rows[0];
}

export async function getOrganizationMembers(q: Queryable, orgId: string): Promise<OrganizationMemberWithUser[]> {
  return q.query<OrganizationMemberWithUser>(
    'OrganizationMembers',
    `SELECT om.user_id, om.organization_id, om.created_at, om.updated_at, om.roles,
            u.username, u.name, u.email, u.avatar_url, u.rbac_roles AS global_roles
       FROM organization_members om JOIN users u ON u.id = om.user_id AND u.deleted = false
      WHERE om.organization_id = $1 ORDER BY lower(u.username)`,
    [orgId],
  );
}

export async function insertOrganizationMember(q: Queryable, orgId: string, userId: string, roles: string[]): Promise<OrganizationMember> {
  const rows = await q.query<OrganizationMember>(
    'InsertOrganizationMember',
    `INSERT INTO organization_members (organization_id, user_id, created_at, updated_at, roles)
     VALUES ($1, $2, now(), now(), $3) RETURNING ${MEMBER}`,
    [orgId, userId, roles],
  );
  return rows[0];
}

export async function updateMemberRoles(q: Queryable, orgId: string, userId: string, roles: string[]): Promise<OrganizationMember> {
  const rows = await q.query<OrganizationMember>(
    'UpdateMemberRoles',
    `UPDATE organization_members SET roles = $3, updated_at = now() WHERE organization_id = $1 AND user_id = $2 RETURNING ${MEMBER}`,
    [orgId, userId, roles],
  );
  return rows[0];
}

export async function deleteOrganizationMember(q: Queryable, orgId: string, userId: string): Promise<void> {
  await q.query('DeleteOrganizationMember', 'DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2', [orgId, userId]);
  await q.query(
    'DeleteGroupMembersByOrgAndUser',
    'DELETE FROM group_members WHERE user_id = $2 AND group_id IN (SELECT id FROM groups WHERE organization_id = $1)',
    [orgId, userId],
  );
}

/** Writes (or rewrites) the organization-member system role of an organization. */
export async function upsertOrgMemberSystemRole(q: Queryable, orgId: string, perms: OrgPermissions): Promise<void> {
  await q.query(
    'UpsertCustomRole',
    `INSERT INTO custom_roles (name, display_name, org_permissions, member_permissions, organization_id, is_system)
     VALUES ('organization-member', '', $2::jsonb, $3::jsonb, $1, true)
     ON CONFLICT (lower(name), COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid))
     DO UPDATE SET org_permissions = EXCLUDED.org_permissions, member_permissions = EXCLUDED.member_permissions, updated_at = now()`,
    [orgId, JSON.stringify(perms.org), JSON.stringify(perms.member)],
  );
}

export async function getOrgMemberSystemRole(q: Queryable, orgId: string): Promise<OrgPermissions | undefined> {
  const rows = await q.query<{ org: OrgPermissions['org']; member: OrgPermissions['member'] }>(
    'GetCustomRoles',
    `SELECT org_permissions AS org, member_permissions AS member FROM custom_roles
      WHERE organization_id = $1 AND is_system AND name = 'organization-member'`,
    [orgId],
  );
  return rows[0];
}

const GROUP = 'id, name, organization_id, avatar_url, quota_allowance, display_name';

export async function insertGroup(q: Queryable, g: { id?: string; name: string; orgId: string; displayName: string; avatarUrl: string; quotaAllowance: number }): Promise<Group> {
  const rows = await q.query<Group>(
    'InsertGroup',
    `INSERT INTO groups (id, name, organization_id, display_name, avatar_url, quota_allowance)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${GROUP}`,
    [g.id ?? randomUUID(), g.name, g.orgId, g.displayName, g.avatarUrl, g.quotaAllowance],
  );
  return rows[0];
}

export async function getGroupByID(q: Queryable, id: string): Promise<Group | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<Group>('GetGroupByID', `SELECT ${GROUP} FROM groups WHERE id = $1`, [id]);
  return rows[0];
}

export async function getGroupsByOrganizationID(q: Queryable, orgId: string): Promise<Group[]> {
  return q.query<Group>('GetGroups', `SELECT ${GROUP} FROM groups WHERE organization_id = $1 ORDER BY lower(name)`, [orgId]);
}

export async function getGroupsByIDs(q: Queryable, ids: string[]): Promise<Group[]> {
  if (!ids.length) return [];
  return q.query<Group>('GetGroupsByIDs', `SELECT ${GROUP} FROM groups WHERE id = ANY($1::uuid[])`, [ids]);
}

export interface GroupMemberRow {
  group_id: string;
  id: string;
  username: string;
  email: string;
  name: string;
  avatar_url: string;
}

/** Members of groups; the Everyone group (id = org id) lists every member of its organization. */
export async function getGroupMembers(q: Queryable, groupIds: string[]): Promise<GroupMemberRow[]> {
  if (!groupIds.length) return [];
  return q.query<GroupMemberRow>(
    'GetGroupMembersByGroupID',
    `SELECT gm.group_id::text AS group_id, u.id, u.username, u.email, u.name, u.avatar_url
       FROM group_members gm JOIN users u ON u.id = gm.user_id AND u.deleted = false
      WHERE gm.group_id = ANY($1::uuid[])
     UNION
     SELECT om.organization_id::text AS group_id, u.id, u.username, u.email, u.name, u.avatar_url
       FROM organization_members om JOIN users u ON u.id = om.user_id AND u.deleted = false
      WHERE om.organization_id = ANY($1::uuid[])
     ORDER BY username`,
    [groupIds],
  );
}

export async function insertGroupMember(q: Queryable, groupId: string, userId: string): Promise<void> {
  await q.query('InsertGroupMember', 'INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [groupId, userId]);
}

export async function deleteGroupMemberFromGroup(q: Queryable, groupId: string, userId: string): Promise<void> {
  await q.query('DeleteGroupMemberFromGroup', 'DELETE FROM group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId]);
}

export async function deleteGroupByID(q: Queryable, id: string): Promise<void> {
  await q.query('DeleteGroupByID', 'DELETE FROM groups WHERE id = $1', [id]);
}
