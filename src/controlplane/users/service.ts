import { hashPassword, verifyPassword } from '../../db/queries/users.js';
import { HttpError } from '../../errors.js';
import { NotAuthorizedError, type Store } from '../dbauthz/store.js';
import { Fields } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { badRequest, conflict, forbidden, resourceNotFound, unauthorized, validationFailed } from '../httpapi/errors.js';
import { SessionLifetimeSeconds } from '../api-keys/types.js';
import { SiteRoles } from '../rbac/index.js';
import { emailValid, nameValid, userJson, type LoginType, type User, type UserJson } from './types.js';
import { isUuid } from '../ids.js';

/**
 * Resolves the `{user}` of a path: `me`, a UUID or a username. Unknown or unreadable users are
 * 404. `me` is read with GetUserByID, as Coder's ExtractUserParam does.
 */
export async function resolveUser(ctx: RequestContext, ref: string): Promise<User> {
  const s = ctx.store;
  let u: User | undefined;
  if (ref === 'me') u = await s.users.getUserByID(ctx.userId);
  else if (isUuid(ref)) u = await s.users.getUserByID(ref);
  else u = await s.users.getUserByEmailOrUsername(ref);
  if (!u) throw resourceNotFound();
  return u;
}

export async function toUserJson(s: Store, users: User[]): Promise<UserJson[]> {
  const orgs = await s.asSystem('systemRestricted').users.getOrganizationIDsByMemberIDs(users.map((u) => u.id));
  return users.map((u) => userJson(u, orgs.get(u.id) ?? []));
}

export const MinPasswordLength = 8;

let dummy: Promise<Buffer> | undefined;
const dummyHash = () => (dummy ??= hashPassword('not-a-password'));

/** POST /api/v2/users (Coder's CreateUserRequestWithOrgs, plus `roles` for site roles). */
export async function createUser(ctx: RequestContext, body: Record<string, unknown>): Promise<UserJson> {
  const f = new Fields(body);
  const username = f.string('username', { required: true });
  const email = f.string('email', { required: true });
  const name = f.string('name') ?? '';
  const password = f.string('password') ?? '';
  const loginType = (f.oneOf('login_type', ['password', 'none', 'github', 'oidc'] as const) ?? (password ? 'password' : 'none')) as LoginType;
  const roles = (f.stringArray('roles') ?? []).filter((r) => r !== 'member');
  const orgIds = f.stringArray('organization_ids');
  const status = f.oneOf('user_status', ['active', 'dormant'] as const) ?? 'active';
  if (username !== undefined) {
    const bad = nameValid(username);
    if (bad) f.check('username', false, bad);
  }
  if (email !== undefined) f.check('email', emailValid(email), 'Must be a valid email address.');
  for (const r of roles) f.check('roles', (SiteRoles as readonly string[]).includes(r), `Unknown role "${r}".`);
  if (loginType === 'password') {
    f.check('password', password.length > 0, 'A password is required when login_type is "password".');
    if (password) f.check('password', password.length >= MinPasswordLength, `Password must be at least ${MinPasswordLength} characters.`);
  } else {
    f.check('password', password === '', `Password cannot be set when login_type is "${loginType}".`);
  }
  f.done();

  const system = ctx.store.asSystem('systemRestricted');
  let organizations: string[];
  if (orgIds && orgIds.length) {
    organizations = [];
    for (const ref of orgIds) {
      const o = await system.orgs.getOrganization(ref);
      if (!o) throw validationFailed([{ field: 'organization_ids', detail: `Organization "${ref}" does not exist.` }]);
      organizations.push(o.id);
    }
  } else {
    const def = await system.orgs.getDefaultOrganization();
    organizations = def ? [def.id] : [];
  }
  if ((await system.users.getUserByEmailOrUsername(username!)) || (await system.users.getUserByEmailOrUsername(email!))) {
    throw conflict('User already exists.');
  }
  try {
    const user = await ctx.store.tx(async (s) =>
      s.users.insertUser(
        {
          username: username!,
          email: email!,
          name,
          hashedPassword: password ? await hashPassword(password) : Buffer.alloc(0),
          loginType,
          rbacRoles: roles,
          status,
        },
        organizations,
      ),
    );
    return (await toUserJson(ctx.store, [user]))[0];
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    if ((err as { code?: string }).code === '23505') throw conflict('User already exists.');
    throw err;
  }
}

/**
 * POST /api/v2/users/login: email (or username) and password give a session token of Coder's
 * default session lifetime. Every failure but suspension reads the same, so it reveals nothing.
 */
export async function login(system: Store, body: Record<string, unknown>): Promise<{ session_token: string; expiresAt: Date }> {
  const f = new Fields(body);
  const email = f.string('email', { required: true });
  const password = f.string('password', { required: true });
  f.done();
  const user = await system.users.getUserByEmailOrUsername(email!);
  const usable = user && user.login_type === 'password' && user.hashed_password.length > 0;
  // Unknown users cost one KDF run too, so timing does not tell which emails exist.
  const ok = (await verifyPassword(password!, usable ? user.hashed_password : await dummyHash()).catch(() => false)) && usable;
  if (!user || !ok) throw unauthorized('Incorrect email or password.');
  if (user.status === 'suspended') throw new HttpError(401, 'Your account is suspended. Contact an admin to reactivate your account.');
  if (user.status === 'dormant') await system.users.updateUserStatus(user.id, 'active');
  const key = await system.users.insertAPIKey({ userId: user.id, lifetimeSeconds: SessionLifetimeSeconds, loginType: 'password' });
  return { session_token: key.token, expiresAt: key.expiresAt };
}

/** PUT /api/v2/users/{user}/status/{suspend|activate}. */
export async function updateStatus(ctx: RequestContext, user: User, status: 'active' | 'suspended'): Promise<UserJson> {
  if (status === 'suspended' && user.id === ctx.userId) throw badRequest('You cannot suspend yourself.');
  try {
    const u = await ctx.store.users.updateUserStatus(user.id, status);
    return (await toUserJson(ctx.store, [u]))[0];
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

/** PUT /api/v2/users/{user}/roles `{roles}`: the site roles (member is implicit). */
export async function updateRoles(ctx: RequestContext, user: User, body: Record<string, unknown>): Promise<UserJson> {
  const f = new Fields(body);
  const roles = (f.stringArray('roles') ?? []).filter((r) => r !== 'member');
  for (const r of roles) f.check('roles', (SiteRoles as readonly string[]).includes(r), `Unknown role "${r}".`);
  f.done();
  if (user.id === ctx.userId) throw badRequest('You cannot change your own roles.');
  try {
    const u = await ctx.store.users.updateUserRoles(user.id, user.rbac_roles, [...new Set(roles)]);
    return (await toUserJson(ctx.store, [u]))[0];
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}
