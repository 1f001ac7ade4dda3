import type { Queryable } from '../../db/index.js';
import type { ApiKey } from './types.js';

const COLUMNS = 'id, user_id, last_used, expires_at, created_at, updated_at, login_type, lifetime_seconds, token_name, scopes';

export async function getAPIKeyByID(q: Queryable, id: string): Promise<ApiKey | undefined> {
  const rows = await q.query<ApiKey>('GetAPIKeyByID', `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
  return rows[0];
}

export async function getAPIKeyByName(q: Queryable, userId: string, tokenName: string): Promise<ApiKey | undefined> {
  const rows = await q.query<ApiKey>(
    'GetAPIKeyByName',
    `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 AND token_name = $2 AND login_type = 'token'`,
    [userId, tokenName],
  );
  return rows[0];
}

export async function getAPIKeysByUserID(q: Queryable, userId: string, loginType: string): Promise<ApiKey[]> {
  return q.query<ApiKey>(
    'GetAPIKeysByUserID',
    `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 AND login_type = $2 ORDER BY created_at`,
    [userId, loginType],
  );
}

export async function deleteAPIKeyByID(q: Queryable, id: string): Promise<void> {
  await q.query('DeleteAPIKeyByID', 'DELETE FROM api_keys WHERE id = $1', [id]);
}

export async function deleteAPIKeysByUserID(q: Queryable, userId: string): Promise<void> {
  await q.query('DeleteAPIKeysByUserID', 'DELETE FROM api_keys WHERE user_id = $1', [userId]);
}
