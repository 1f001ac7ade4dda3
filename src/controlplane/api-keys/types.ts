export interface ApiKey {
  id: string;
  user_id: string;
  last_used: Date;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  login_type: string;
  lifetime_seconds: number;
  token_name: string;
  scopes: string[];
}

/** Coder's codersdk.APIKey (never the secret). */
export function apiKeyJson(k: ApiKey) {
  return {
    id: k.id,
    user_id: k.user_id,
    last_used: k.last_used.toISOString(),
    expires_at: k.expires_at.toISOString(),
    created_at: k.created_at.toISOString(),
    updated_at: k.updated_at.toISOString(),
    login_type: k.login_type,
    scope: k.scopes.includes('all') ? 'all' : (k.scopes[0] ?? 'all'),
    scopes: k.scopes,
    token_name: k.token_name,
    lifetime_seconds: k.lifetime_seconds,
  };
}

/** Coder's defaults: a login session lasts 24 hours, a token 30 days unless asked otherwise. */
export const SessionLifetimeSeconds = 24 * 3600;
export const DefaultTokenLifetimeSeconds = 30 * 24 * 3600;
/** Coder's default --max-token-lifetime (876,600 h, a century). */
export const MaxTokenLifetimeSeconds = 876_600 * 3600;
