import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import type { WorkspaceAcl } from '../rbac/index.js';
import { isUuid } from '../ids.js';
import type { Workspace } from './types.js';

const COLUMNS = `w.id, w.created_at, w.updated_at, w.owner_id, w.organization_id, w.template_id, w.deleted, w.name,
  w.autostart_schedule, w.ttl, w.last_used_at, w.dormant_at, w.deleting_at, w.next_start_at, w.group_acl, w.user_acl,
  u.username AS owner_username, u.name AS owner_name, u.avatar_url AS owner_avatar_url, o.name AS organization_name,
  t.name AS template_name, t.display_name AS template_display_name, t.icon AS template_icon,
  t.active_version_id AS template_active_version_id, t.require_active_version AS template_require_active_version,
  t.allow_user_cancel_workspace_jobs AS template_allow_user_cancel_workspace_jobs`;
const FROM = `workspaces w JOIN visible_users u ON u.id = w.owner_id JOIN organizations o ON o.id = w.organization_id
  JOIN templates t ON t.id = w.template_id`;

export async function getWorkspaceByID(q: Queryable, id: string): Promise<Workspace | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<Workspace>('GetWorkspaceByID', `SELECT ${COLUMNS} FROM ${FROM} WHERE w.id = $1`, [id]);
  return rows[0];
}

export async function getWorkspaceByOwnerIDAndName(q: Queryable, ownerId: string, name: string, includeDeleted = false): Promise<Workspace | undefined> {
  const rows = await q.query<Workspace>(
    'GetWorkspaceByOwnerIDAndName',
    `SELECT ${COLUMNS} FROM ${FROM} WHERE w.owner_id = $1 AND lower(w.name) = lower($2) AND ($3::boolean OR w.deleted = false)
      ORDER BY w.created_at DESC LIMIT 1`,
    [ownerId, name, includeDeleted],
  );
  return rows[0];
}

export interface WorkspaceFilter {
  ownerId?: string;
  templateId?: string;
  orgId?: string;
  name?: string;
  limit?: number;
  offset?: number;
}

export async function getWorkspaces(q: Queryable, f: WorkspaceFilter): Promise<Workspace[]> {
  return q.query<Workspace>(
    'GetWorkspaces',
    `SELECT ${COLUMNS} FROM ${FROM}
      WHERE w.deleted = false
        AND ($1::uuid IS NULL OR w.owner_id = $1)
        AND ($2::uuid IS NULL OR w.template_id = $2)
        AND ($3::uuid IS NULL OR w.organization_id = $3)
        AND ($4::text = '' OR w.name ILIKE '%' || $4 || '%')
      ORDER BY lower(u.username), lower(w.name) LIMIT $5 OFFSET $6`,
    [f.ownerId ?? null, f.templateId ?? null, f.orgId ?? null, f.name ?? '', f.limit && f.limit > 0 ? f.limit : 1000, f.offset ?? 0],
  );
}

export async function insertWorkspace(
  q: Queryable,
  w: { ownerId: string; orgId: string; templateId: string; name: string; autostartSchedule: string | null; ttlNs: number | null },
): Promise<string> {
  const id = randomUUID();
  await q.query(
    'InsertWorkspace',
    `INSERT INTO workspaces (id, created_at, updated_at, owner_id, organization_id, template_id, name, autostart_schedule, ttl, last_used_at)
     VALUES ($1, now(), now(), $2, $3, $4, $5, $6, $7, now())`,
    [id, w.ownerId, w.orgId, w.templateId, w.name, w.autostartSchedule, w.ttlNs],
  );
  return id;
}

export async function updateWorkspaceDeletedByID(q: Queryable, id: string, deleted: boolean): Promise<void> {
  await q.query('UpdateWorkspaceDeletedByID', 'UPDATE workspaces SET deleted = $2, updated_at = now() WHERE id = $1', [id, deleted]);
}

export async function updateWorkspaceACLByID(q: Queryable, id: string, userAcl: WorkspaceAcl, groupAcl: WorkspaceAcl): Promise<void> {
  await q.query('UpdateWorkspaceACLByID', 'UPDATE workspaces SET user_acl = $2::jsonb, group_acl = $3::jsonb WHERE id = $1', [
    id,
    JSON.stringify(userAcl),
    JSON.stringify(groupAcl),
  ]);
}

export async function deleteWorkspaceACLByID(q: Queryable, id: string): Promise<void> {
  await q.query('DeleteWorkspaceACLByID', `UPDATE workspaces SET user_acl = '{}'::jsonb, group_acl = '{}'::jsonb WHERE id = $1`, [id]);
}

/** Clears the ACLs of every workspace of one organization (sharing switched off there). */
export async function deleteWorkspaceACLsByOrganization(q: Queryable, orgId: string): Promise<void> {
  await q.query(
    'DeleteWorkspaceACLsByOrganization',
    `UPDATE workspaces SET user_acl = '{}'::jsonb, group_acl = '{}'::jsonb
      WHERE organization_id = $1 AND (user_acl <> '{}'::jsonb OR group_acl <> '{}'::jsonb)`,
    [orgId],
  );
}

export async function updateWorkspaceLastUsedAt(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query('UpdateWorkspaceLastUsedAt', 'UPDATE workspaces SET last_used_at = $2 WHERE id = $1', [id, at]);
}
