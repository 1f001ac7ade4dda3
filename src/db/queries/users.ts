import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Queryable } from '../database.js';
import { isUuid } from '../uuid.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };

/** Hashes a password with scrypt; the stored form is `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<Buffer> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return Buffer.from(`scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`);
}

export async function verifyPassword(password: string, stored: Buffer): Promise<boolean> {
  const parts = stored.toString().split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, N, r, p, salt, hash] = parts;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, { N: Number(N), r: Number(r), p: Number(p) });
  return timingSafeEqual(got, want);
}

export interface UserRow {
  id: string;
  email: string;
  username: string;
  name: string;
  status: 'active' | 'suspended' | 'dormant';
  rbac_roles: string[];
  login_type: string;
  created_at: Date;
  updated_at: Date;
  deleted: boolean;
}

const USER_COLUMNS = 'id, email, username, name, status, rbac_roles, login_type, created_at, updated_at, deleted';

export async function countUsers(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>('GetUserCount', 'SELECT count(*)::int8 AS n FROM users WHERE deleted = false AND is_system = false');
  return rows[0].n;
}

export async function getUserByUsernameOrId(q: Queryable, ref: string): Promise<UserRow | undefined> {
  const byId = isUuid(ref);
  const rows = await q.query<UserRow>(
    byId ? 'GetUserByID' : 'GetUserByEmailOrUsername',
    byId
      ? `SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND deleted = false`
      : `SELECT ${USER_COLUMNS} FROM users WHERE (lower(username) = lower($1) OR lower(email) = lower($1)) AND deleted = false`,
    [ref],
  );
  return rows[0];
}

export interface NewUser {
  username: string;
  email: string;
  password?: string;
  name?: string;
  /** Site roles beyond the implicit "member": owner, auditor, template-admin, user-admin. */
  roles?: string[];
  loginType?: 'password' | 'none';
  status?: 'active' | 'dormant';
}

/** Inserts a user and makes them a member of the default organization. */
export async function insertUser(q: Queryable, u: NewUser): Promise<UserRow> {
  const now = new Date();
  const id = randomUUID();
  const hashed = u.password ? await hashPassword(u.password) : Buffer.alloc(0);
  const rows = await q.query<UserRow>(
    'InsertUser',
    `INSERT INTO users (id, email, username, name, hashed_password, created_at, updated_at, rbac_roles, login_type, status)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9) RETURNING ${USER_COLUMNS}`,
    [id, u.email, u.username, u.name ?? '', hashed, now, u.roles ?? [], u.password ? 'password' : (u.loginType ?? 'none'), u.status ?? 'active'],
  );
  const org = await ensureDefaultOrganization(q);
  await q.query(
    'InsertOrganizationMember',
    `INSERT INTO organization_members (user_id, organization_id, created_at, updated_at, roles) VALUES ($1, $2, $3, $3, '{}')
     ON CONFLICT DO NOTHING`,
    [id, org.id, now],
  );
  await q.query(
    'InsertGroupMember',
    'INSERT INTO group_members (user_id, group_id) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM groups WHERE id = $2) ON CONFLICT DO NOTHING',
    [id, org.id],
  );
  return rows[0];
}

/** The default organization exists from the first start ("coder", as Coder names it). */
export async function ensureDefaultOrganization(q: Queryable): Promise<{ id: string; name: string }> {
  const rows = await q.query<{ id: string; name: string }>('GetDefaultOrganization', 'SELECT id, name FROM organizations WHERE is_default = true');
  if (rows[0]) return rows[0];
  const id = randomUUID();
  const now = new Date();
  await q.query(
    'InsertOrganization',
    `INSERT INTO organizations (id, name, display_name, description, created_at, updated_at, is_default)
     VALUES ($1, 'coder', 'Coder', 'Builtin default organization.', $2, $2, true) ON CONFLICT DO NOTHING`,
    [id, now],
  );
  await q.query(
    'InsertGroup',
    `INSERT INTO groups (id, name, organization_id, display_name) VALUES ($1, 'Everyone', $1, '') ON CONFLICT DO NOTHING`,
    [id],
  );
  const again = await q.query<{ id: string; name: string }>('GetDefaultOrganization', 'SELECT id, name FROM organizations WHERE is_default = true');
  return again[0];
}
