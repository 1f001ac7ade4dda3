import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { isUuid } from '../ids.js';
import type { AuthorizationUserRoles, LoginType, User, UserStatus, UserWithPassword } from './types.js';

const COLUMNS = `id, email, username, name, status, rbac_roles, login_type, avatar_url, created_at, updated_at,
  last_seen_at, deleted, is_system, is_service_account`;


export async function getUserByID(q: Queryable, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<User>('GetUserByID', `SELECT ${COLUMNS} FROM users WHERE id = $1 AND deleted = false`, [id]);
  return rows[0];
}

export async function getUserByEmailOrUsername(q: Queryable, ref: string): Promise<UserWithPassword | undefined> {
  const rows = await q.query<UserWithPassword>(
    'GetUserByEmailOrUsername',
    `SELECT ${COLUMNS}, hashed_password FROM users
      WHERE (lower(username) = lower($1) OR lower(email) = lower($1)) AND deleted = false
      ORDER BY (lower(email) = lower($1)) DESC LIMIT 1`,
    [ref],
  );
  return rows[0];
}

export async function getUsers(q: Queryable, f: { search?: string; status?: UserStatus; limit?: number; offset?: number }): Promise<User[]> {
  return q.query<User>(
    'GetUsers',
    `SELECT ${COLUMNS} FROM users
      WHERE deleted = false AND is_system = false
        AND ($1::text = '' OR username ILIKE '%' || $1 || '%' OR email ILIKE '%' || $1 || '%')
        AND ($2::text = '' OR status::text = $2)
      ORDER BY lower(username) LIMIT $3 OFFSET $4`,
    [f.search ?? '', f.status ?? '', f.limit && f.limit > 0 ? f.limit : 1000, f.offset ?? 0],
  );
}

export interface InsertUserParams {
  email: string;
  username: string;
  name: string;
  hashedPassword: Buffer;
  loginType: LoginType;
  rbacRoles: string[];
  status: UserStatus;
}

export async function insertUser(q: Queryable, p: InsertUserParams): Promise<User> {
  const now = new Date();
  const rows = await q.query<User>(
    'InsertUser',
    `INSERT INTO users (id, email, username, name, hashed_password, created_at, updated_at, rbac_roles, login_type, status)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [randomUUID(), p.email, p.username, p.name, p.hashedPassword, now, p.rbacRoles, p.loginType, p.status],
  );
  return rows[0];
}

export async function updateUserStatus(q: Queryable, id: string, status: UserStatus): Promise<User> {
  const rows = await q.query<User>(
    'UpdateUserStatus',
    `UPDATE users SET status = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, status],
  );
  return rows[0];
}

export async function updateUserRoles(q: Queryable, id: string, roles: string[]): Promise<User> {
  const rows = await q.query<User>(
    'UpdateUserRoles',
    `UPDATE users SET rbac_roles = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, roles],
  );
  return rows[0];
}

export async function updateUserHashedPassword(q: Queryable, id: string, hashed: Buffer): Promise<void> {
  await q.query('UpdateUserHashedPassword', 'UPDATE users SET hashed_password = $2, updated_at = now() WHERE id = $1', [id, hashed]);
}

export async function updateUserLastSeenAt(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query('UpdateUserLastSeenAt', 'UPDATE users SET last_seen_at = $2 WHERE id = $1', [id, at]);
}

/** Users counted against a license: active, not deleted, not system accounts. */
export async function getActiveUserCount(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>(
    'GetActiveUserCount',
    `SELECT count(*)::int8 AS n FROM users WHERE status = 'active' AND deleted = false AND is_system = false`,
  );
  return rows[0].n;
}

/** The roles, organization memberships (with each org-member system role) and groups of a user. */
export async function getAuthorizationUserRoles(q: Queryable, id: string): Promise<AuthorizationUserRoles | undefined> {
  const rows = await q.query<AuthorizationUserRoles>(
    'GetAuthorizationUserRoles',
    `SELECT u.id, u.username, u.status, u.rbac_roles AS roles,
            COALESCE((
              SELECT jsonb_agg(jsonb_build_object(
                       'org_id', om.organization_id,
                       'roles', to_jsonb(om.roles),
                       'sharing_disabled', o.workspace_sharing_disabled,
                       'member_role', (SELECT jsonb_build_object('org', cr.org_permissions, 'member', cr.member_permissions)
                                         FROM custom_roles cr
                                        WHERE cr.organization_id = om.organization_id AND cr.is_system
                                          AND cr.name = 'organization-member')))
                FROM organization_members om
                JOIN organizations o ON o.id = om.organization_id AND o.deleted = false
               WHERE om.user_id = u.id), '[]'::jsonb) AS memberships,
            COALESCE((SELECT array_agg(gm.group_id::text) FROM group_members gm WHERE gm.user_id = u.id), '{}'::text[]) AS groups
       FROM users u WHERE u.id = $1 AND u.deleted = false`,
    [id],
  );
  return rows[0];
}

/** Organization ids per user, for the users' JSON. */
export async function getOrganizationIDsByMemberIDs(q: Queryable, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((i) => [i, []]));
  if (!ids.length) return out;
  const rows = await q.query<{ user_id: string; organization_ids: string[] }>(
    'GetOrganizationIDsByMemberIDs',
    `SELECT user_id::text, array_agg(organization_id::text ORDER BY created_at) AS organization_ids
       FROM organization_members WHERE user_id = ANY($1::uuid[]) GROUP BY user_id`,
    [ids],
  );
  for (const r of rows) out.set(r.user_id, r.organization_ids);
  return out;
}
