import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { isUuid } from '../ids.js';
import type { ClientRegistration } from './types.js';

export interface OAuth2App {
  id: string;
  created_at: Date;
  updated_at: Date;
  name: string;
  icon: string;
  callback_url: string;
  redirect_uris: string[];
  client_type: string;
  dynamically_registered: boolean;
  client_id_issued_at: Date | null;
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope: string;
  contacts: string[];
  client_uri: string | null;
  logo_uri: string | null;
  tos_uri: string | null;
  policy_uri: string | null;
  jwks_uri: string | null;
  software_id: string | null;
  software_version: string | null;
  user_id: string | null;
}

const APP = `id, created_at, updated_at, name, icon, callback_url, redirect_uris, client_type, dynamically_registered,
  client_id_issued_at, grant_types, response_types, token_endpoint_auth_method, scope, contacts, client_uri, logo_uri,
  tos_uri, policy_uri, jwks_uri, software_id, software_version, user_id`;

export async function insertOAuth2ProviderApp(
  q: Queryable,
  a: { name: string; icon: string; callbackUrl: string; dynamic: boolean; userId: string | null; reg: ClientRegistration; registrationToken?: Buffer },
): Promise<OAuth2App> {
  const rows = await q.query<OAuth2App>(
    'InsertOAuth2ProviderApp',
    `INSERT INTO oauth2_provider_apps (id, created_at, updated_at, name, icon, callback_url, redirect_uris, client_type,
       dynamically_registered, client_id_issued_at, grant_types, response_types, token_endpoint_auth_method, scope, contacts,
       client_uri, logo_uri, tos_uri, policy_uri, jwks_uri, jwks, software_id, software_version, registration_access_token, user_id)
     VALUES ($1, now(), now(), $2, $3, $4, $5, $6, $7, now(), $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb, $19, $20, $21, $22)
     RETURNING ${APP}`,
    [
      randomUUID(),
      a.name,
      a.icon,
      a.callbackUrl,
      a.reg.redirect_uris,
      a.reg.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
      a.dynamic,
      a.reg.grant_types,
      a.reg.response_types,
      a.reg.token_endpoint_auth_method,
      a.reg.scope,
      a.reg.contacts,
      a.reg.client_uri ?? null,
      a.reg.logo_uri ?? null,
      a.reg.tos_uri ?? null,
      a.reg.policy_uri ?? null,
      a.reg.jwks_uri ?? null,
      a.reg.jwks === undefined ? null : JSON.stringify(a.reg.jwks),
      a.reg.software_id ?? null,
      a.reg.software_version ?? null,
      a.registrationToken ?? null,
      a.userId,
    ],
  );
  return rows[0];
}

export async function getOAuth2ProviderAppByID(q: Queryable, id: string): Promise<OAuth2App | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<OAuth2App>('GetOAuth2ProviderAppByID', `SELECT ${APP} FROM oauth2_provider_apps WHERE id = $1`, [id]);
  return rows[0];
}

export async function getOAuth2ProviderApps(q: Queryable): Promise<OAuth2App[]> {
  return q.query<OAuth2App>('GetOAuth2ProviderApps', `SELECT ${APP} FROM oauth2_provider_apps ORDER BY lower(name), id`);
}

export async function deleteOAuth2ProviderAppByID(q: Queryable, id: string): Promise<void> {
  await q.query('DeleteOAuth2ProviderAppByID', 'DELETE FROM oauth2_provider_apps WHERE id = $1', [id]);
}

export interface Secretish {
  id: string;
  hashed_secret: Buffer;
}

export async function insertOAuth2ProviderAppSecret(q: Queryable, s: { appId: string; prefix: string; hashed: Buffer; display: string }): Promise<{ id: string }> {
  const rows = await q.query<{ id: string }>(
    'InsertOAuth2ProviderAppSecret',
    `INSERT INTO oauth2_provider_app_secrets (id, created_at, hashed_secret, display_secret, app_id, secret_prefix)
     VALUES ($1, now(), $2, $3, $4, $5) RETURNING id`,
    [randomUUID(), s.hashed, s.display, s.appId, Buffer.from(s.prefix)],
  );
  return rows[0];
}

export async function getOAuth2ProviderAppSecretsByAppID(q: Queryable, appId: string): Promise<(Secretish & { display_secret: string; last_used_at: Date | null })[]> {
  return q.query('GetOAuth2ProviderAppSecretsByAppID', 'SELECT id, hashed_secret, display_secret, last_used_at FROM oauth2_provider_app_secrets WHERE app_id = $1 ORDER BY created_at', [appId]);
}

export async function getOAuth2ProviderAppSecretByPrefix(q: Queryable, prefix: string): Promise<(Secretish & { app_id: string }) | undefined> {
  const rows = await q.query<Secretish & { app_id: string }>(
    'GetOAuth2ProviderAppSecretByPrefix',
    'SELECT id, hashed_secret, app_id FROM oauth2_provider_app_secrets WHERE secret_prefix = $1',
    [Buffer.from(prefix)],
  );
  return rows[0];
}

export interface AppCode extends Secretish {
  expires_at: Date;
  user_id: string;
  app_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  resource_uri: string | null;
}

export async function insertOAuth2ProviderAppCode(
  q: Queryable,
  c: { prefix: string; hashed: Buffer; userId: string; appId: string; expiresAt: Date; redirectUri: string; challenge?: string; method?: string; resource?: string },
): Promise<void> {
  await q.query(
    'InsertOAuth2ProviderAppCode',
    `INSERT INTO oauth2_provider_app_codes (id, created_at, expires_at, secret_prefix, hashed_secret, user_id, app_id, redirect_uri,
       code_challenge, code_challenge_method, resource_uri)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [randomUUID(), c.expiresAt, Buffer.from(c.prefix), c.hashed, c.userId, c.appId, c.redirectUri, c.challenge ?? null, c.method ?? null, c.resource ?? null],
  );
}

/** Takes a code out (codes are single use): returns it and deletes it in one statement. */
export async function deleteOAuth2ProviderAppCodeByPrefix(q: Queryable, prefix: string): Promise<AppCode | undefined> {
  const rows = await q.query<AppCode>(
    'DeleteOAuth2ProviderAppCodeByPrefix',
    `DELETE FROM oauth2_provider_app_codes WHERE secret_prefix = $1
     RETURNING id, hashed_secret, expires_at, user_id, app_id, redirect_uri, code_challenge, code_challenge_method, resource_uri`,
    [Buffer.from(prefix)],
  );
  return rows[0];
}

export interface AppToken {
  id: string;
  refresh_hash: Buffer;
  expires_at: Date;
  app_id: string;
  api_key_id: string;
  user_id: string;
}

export async function insertOAuth2ProviderAppToken(
  q: Queryable,
  t: { prefix: string; refreshHash: Buffer; appSecretId: string | null; appId: string; apiKeyId: string; userId: string; expiresAt: Date; audience?: string },
): Promise<void> {
  await q.query(
    'InsertOAuth2ProviderAppToken',
    `INSERT INTO oauth2_provider_app_tokens (id, created_at, expires_at, hash_prefix, refresh_hash, app_secret_id, app_id, api_key_id, user_id, audience)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9)`,
    [randomUUID(), t.expiresAt, Buffer.from(t.prefix), t.refreshHash, t.appSecretId, t.appId, t.apiKeyId, t.userId, t.audience ?? null],
  );
}

/** Takes a refresh token out (rotation): the row goes; its API key is deleted by the caller. */
export async function deleteOAuth2ProviderAppTokenByPrefix(q: Queryable, prefix: string): Promise<AppToken | undefined> {
  const rows = await q.query<AppToken>(
    'DeleteOAuth2ProviderAppTokenByPrefix',
    `DELETE FROM oauth2_provider_app_tokens WHERE hash_prefix = $1 RETURNING id, refresh_hash, expires_at, app_id, api_key_id, user_id`,
    [Buffer.from(prefix)],
  );
  return rows[0];
}
