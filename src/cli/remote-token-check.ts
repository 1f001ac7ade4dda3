import type { Principal, TokenCheck } from '../db/index.js';

/** How long a token check may wait for the server; a hung server must not hang every CONNECT. */
export const TOKEN_CHECK_TIMEOUT_MS = 5000;

/**
 * For `aibridge proxy` without a database: a token is valid when the server's
 * `GET /api/v2/users/me` accepts it. Network errors and timeouts throw (the proxy answers
 * 502, not 407).
 */
export function remoteTokenCheck(accessUrl: string, timeoutMs = TOKEN_CHECK_TIMEOUT_MS): TokenCheck {
  return async (token) => {
    const res = await fetch(new URL('/api/v2/users/me', accessUrl), {
      headers: { 'Coder-Session-Token': token },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw new Error(`token check: server answered ${res.status}`);
    const me = (await res.json()) as { id: string; username: string; roles?: { name: string }[] };
    const p: Principal = {
      userId: me.id,
      username: me.username,
      apiKeyId: token.split('-', 1)[0],
      roles: (me.roles ?? []).map((r) => r.name),
      scopes: ['all'],
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    return p;
  };
}
