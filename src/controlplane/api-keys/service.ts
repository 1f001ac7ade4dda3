import { NotAuthorizedError } from '../dbauthz/store.js';
import { Fields } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { conflict, forbidden, resourceNotFound, validationFailed } from '../httpapi/errors.js';
import { nameDigitWith } from '../names/index.js';
import type { User } from '../users/types.js';
import { apiKeyJson, DefaultTokenLifetimeSeconds, MaxTokenLifetimeSeconds, SessionLifetimeSeconds, type ApiKey } from './types.js';

const NS_PER_S = 1_000_000_000;

/**
 * POST /api/v2/users/{user}/keys/tokens `{lifetime (ns), token_name, scope?, scopes?}` → `{key}`.
 * A zero lifetime takes Coder's 30-day default; an empty name gets a generated one.
 */
export async function createToken(ctx: RequestContext, user: User, body: Record<string, unknown>): Promise<{ key: string }> {
  const f = new Fields(body);
  const lifetimeNs = f.number('lifetime', { min: 0 }) ?? 0;
  let tokenName = f.string('token_name') ?? '';
  const scope = f.string('scope');
  const scopes = f.stringArray('scopes') ?? (scope ? [scope] : ['all']);
  f.done();
  const lifetimeSeconds = lifetimeNs === 0 ? DefaultTokenLifetimeSeconds : Math.floor(lifetimeNs / NS_PER_S);
  if (lifetimeSeconds < 1) throw validationFailed([{ field: 'lifetime', detail: 'Lifetime must be at least one second.' }]);
  if (lifetimeSeconds > MaxTokenLifetimeSeconds) {
    throw validationFailed([{ field: 'lifetime', detail: `Lifetime must be less than ${MaxTokenLifetimeSeconds / 3600}h.` }]);
  }
  for (const s of scopes) {
    const ok = s === 'all' || s === 'coder:all' || /^[a-z_*]+:[a-z_*]+$/.test(s);
    if (!ok) throw validationFailed([{ field: 'scopes', detail: `Invalid scope "${s}".` }]);
  }
  if (!tokenName) tokenName = nameDigitWith('_');
  try {
    if (await ctx.store.users.getAPIKeyByName(user.id, tokenName)) throw conflict(`A token with name "${tokenName}" already exists.`);
    const k = await ctx.store.users.insertAPIKey({ userId: user.id, lifetimeSeconds, tokenName, scopes, loginType: 'token' });
    return { key: k.token };
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    if ((err as { code?: string }).code === '23505') throw conflict(`A token with name "${tokenName}" already exists.`);
    throw err;
  }
}

/** POST /api/v2/users/{user}/keys: a session-type key of the default session lifetime. */
export async function createSessionKey(ctx: RequestContext, user: User): Promise<{ key: string }> {
  try {
    const k = await ctx.store.users.insertAPIKey({ userId: user.id, lifetimeSeconds: SessionLifetimeSeconds, loginType: 'password' });
    return { key: k.token };
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function listTokens(ctx: RequestContext, user: User) {
  return (await ctx.store.users.getAPIKeysByUserID(user.id, 'token')).map(apiKeyJson);
}

/** A key of this user by id, or (for tokens) by name. */
export async function getKey(ctx: RequestContext, user: User, ref: string): Promise<ApiKey> {
  const k = (await ctx.store.users.getAPIKeyByID(ref)) ?? (await ctx.store.users.getAPIKeyByName(user.id, ref));
  if (!k || k.user_id !== user.id) throw resourceNotFound();
  return k;
}
