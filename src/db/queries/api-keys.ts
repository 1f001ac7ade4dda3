import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../database.js';

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(n: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248 && out.length < n) out += ALPHANUM[b % 62];
    }
  }
  return out;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Splits a Coder API key `<10-char id>-<22-char secret>`; undefined when it has another shape. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const m = /^([a-zA-Z0-9]{10})-([a-zA-Z0-9]{22})$/.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export interface NewApiKey {
  userId: string;
  lifetimeSeconds: number;
  loginType?: 'password' | 'token' | 'oauth2_provider_app';
  tokenName?: string;
  scopes?: string[];
}

/** Creates an API key and returns the token to hand out (shown once; only its hash is kept). */
export async function insertApiKey(q: Queryable, k: NewApiKey): Promise<{ id: string; token: string; expiresAt: Date }> {
  const id = randomString(10);
  const secret = randomString(22);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + k.lifetimeSeconds * 1000);
  await q.query(
    'InsertAPIKey',
    `INSERT INTO api_keys (id, hashed_secret, user_id, last_used, expires_at, created_at, updated_at, login_type, lifetime_seconds, token_name, scopes)
     VALUES ($1, $2, $3, $4, $5, $4, $4, $6, $7, $8, $9)`,
    [id, hashSecret(secret), k.userId, now, expiresAt, k.loginType ?? 'token', k.lifetimeSeconds, k.tokenName ?? '', k.scopes ?? ['all']],
  );
  return { id, token: `${id}-${secret}`, expiresAt };
}

/** Who a valid token belongs to. */
export interface Principal {
  userId: string;
  username: string;
  apiKeyId: string;
  roles: string[];
  scopes: string[];
  expiresAt: Date;
}

interface KeyRow {
  id: string;
  hashed_secret: Buffer;
  user_id: string;
  expires_at: Date;
  last_used: Date;
  scopes: string[];
  username: string;
  status: string;
  deleted: boolean;
  rbac_roles: string[];
}

/**
 * Checks a token against the api_keys table: its shape, its secret's hash (compared in constant
 * time), its expiry, and that its user is neither deleted nor suspended. Returns the principal,
 * or undefined for any failure (the caller answers 401 without saying which check failed).
 */
export async function authenticateApiKey(q: Queryable, token: string, now = new Date()): Promise<Principal | undefined> {
  const parsed = parseApiKey(token);
  if (!parsed) return undefined;
  const rows = await q.query<KeyRow>(
    'GetAPIKeyByID',
    `SELECT k.id, k.hashed_secret, k.user_id, k.expires_at, k.last_used, k.scopes,
            u.username, u.status, u.deleted, u.rbac_roles
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.id = $1`,
    [parsed.id],
  );
  const row = rows[0];
  if (!row) return undefined;
  const want = hashSecret(parsed.secret);
  if (row.hashed_secret.length !== want.length || !timingSafeEqual(row.hashed_secret, want)) return undefined;
  if (row.expires_at.getTime() <= now.getTime()) return undefined;
  if (row.deleted || row.status === 'suspended') return undefined;
  // Coder bumps last_used at most hourly, so a busy token does not write on every request.
  if (now.getTime() - row.last_used.getTime() > 3_600_000) {
    q.query('UpdateAPIKeyByID', 'UPDATE api_keys SET last_used = $2, updated_at = $2 WHERE id = $1', [row.id, now]).catch(() => {});
  }
  return {
    userId: row.user_id,
    username: row.username,
    apiKeyId: row.id,
    roles: row.rbac_roles,
    scopes: row.scopes,
    expiresAt: row.expires_at,
  };
}

/**
 * Whether an API key's scopes let `action` on resource `type` through (roles decide the rest):
 * `all` (or `coder:all`) lets everything through, `type:action` with `*` wildcards the rest.
 */
export function scopeAllows(scopes: readonly string[], type: string, action: string): boolean {
  for (const s of scopes) {
    if (s === 'all' || s === 'coder:all') return true;
    const [r, a] = s.split(':', 2);
    if ((r === type || r === '*') && (a === action || a === '*')) return true;
  }
  return false;
}

export type TokenCheck = (token: string) => Promise<Principal | undefined>;

/**
 * Wraps a token check with a short-lived cache keyed by the token's SHA-256 (the token itself is
 * never kept). Valid verdicts live `ttlMs` (never past the key's expiry), invalid ones a fifth
 * of that; concurrent checks of one token share one lookup.
 */
export function cachedTokenCheck(check: TokenCheck, ttlMs = 30_000, max = 10_000): TokenCheck & { clear(): void } {
  const cache = new LRUCache<string, { p: Principal | null }>({ max, ttl: ttlMs });
  const inflight = new Map<string, Promise<Principal | undefined>>();
  const fn = async (token: string) => {
    const key = createHash('sha256').update(token).digest('base64');
    const hit = cache.get(key);
    if (hit) {
      if (hit.p && hit.p.expiresAt.getTime() <= Date.now()) cache.delete(key);
      else return hit.p ?? undefined;
    }
    let p = inflight.get(key);
    if (!p) {
      p = check(token).finally(() => inflight.delete(key));
      inflight.set(key, p);
      p.then(
        (v) => cache.set(key, { p: v ?? null }, { ttl: v ? Math.min(ttlMs, v.expiresAt.getTime() - Date.now()) : Math.max(1, Math.floor(ttlMs / 5)) }),
        () => {},
      );
    }
    return p;
  };
  return Object.assign(fn, { clear: () => cache.clear() });
}

export function newId(): string {
  return randomUUID();
}
