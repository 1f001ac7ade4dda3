import type { Router } from '../../server/router.js';
import { readObject } from '../httpapi/body.js';
import { resourceNotFound } from '../httpapi/errors.js';
import { sendNoContent } from '../httpapi/route.js';
import { SessionTokenCookie } from '../../server/session-token.js';
import { sendJson } from '../../server/respond.js';
import type { ControlPlaneContext } from '../deps.js';
import { apiKeyJson } from '../api-keys/types.js';
import { createSessionKey, createToken, getKey, listTokens } from '../api-keys/service.js';
import { createUser, login, resolveUser, toUserJson, updateRoles, updateStatus } from './service.js';

export function registerUserRoutes(router: Router, cp: ControlPlaneContext): void {
  const { route } = cp;

  router.post(
    '/api/v2/users/login',
    route.open(async (req, res) => {
      const out = await login(cp.system, await readObject(req));
      const cookie = `${SessionTokenCookie}=${out.session_token}; Path=/; HttpOnly; SameSite=Lax; Expires=${out.expiresAt.toUTCString()}`;
      sendJson(res, 201, { session_token: out.session_token }, { 'set-cookie': cookie });
    }),
  );

  router.post(
    '/api/v2/users/logout',
    route.authed(async (ctx, _req, res) => {
      await ctx.store.users.deleteAPIKeyByID(ctx.apiKeyId);
      cp.forgetTokens();
      sendJson(res, 200, { message: 'Logged out!' }, { 'set-cookie': `${SessionTokenCookie}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
    }),
  );

  router.get(
    '/api/v2/users',
    route.authed(async (ctx, _req, res, _p, url) => {
      const q = url.searchParams.get('q') ?? '';
      const status = /status:(active|suspended|dormant)/.exec(q)?.[1] as 'active' | undefined;
      const search = q.replace(/status:\S+/, '').trim();
      const users = await ctx.store.users.getUsers({
        search,
        status,
        limit: Number(url.searchParams.get('limit') ?? 0) || undefined,
        offset: Number(url.searchParams.get('offset') ?? 0) || undefined,
      });
      sendJson(res, 200, { users: await toUserJson(ctx.store, users), count: users.length });
    }),
  );

  router.post(
    '/api/v2/users',
    route.authed(async (ctx, req, res) => {
      const user = await createUser(ctx, await readObject(req));
      cp.entitlementsChanged();
      sendJson(res, 201, user);
    }),
  );

  router.get(
    '/api/v2/users/{user}',
    route.authed(async (ctx, _req, res, p) => {
      const u = await resolveUser(ctx, p.user!);
      sendJson(res, 200, (await toUserJson(ctx.store, [u]))[0]);
    }),
  );

  for (const [path, status] of [
    ['suspend', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    router.put(
      `/api/v2/users/{user}/status/${path}`,
      route.authed(async (ctx, _req, res, p) => {
        const out = await updateStatus(ctx, await resolveUser(ctx, p.user!), status);
        cp.forgetTokens();
        cp.entitlementsChanged();
        sendJson(res, 200, out);
      }),
    );
  }

  router.put(
    '/api/v2/users/{user}/roles',
    route.authed(async (ctx, req, res, p) => {
      const user = await resolveUser(ctx, p.user!);
      sendJson(res, 200, await updateRoles(ctx, user, await readObject(req)));
    }),
  );

  router.post(
    '/api/v2/users/{user}/keys',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 201, await createSessionKey(ctx, await resolveUser(ctx, p.user!)));
    }),
  );

  router.post(
    '/api/v2/users/{user}/keys/tokens',
    route.authed(async (ctx, req, res, p) => {
      const user = await resolveUser(ctx, p.user!);
      sendJson(res, 201, await createToken(ctx, user, await readObject(req)));
    }),
  );

  router.get(
    '/api/v2/users/{user}/keys/tokens',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 200, await listTokens(ctx, await resolveUser(ctx, p.user!)));
    }),
  );

  router.get(
    '/api/v2/users/{user}/keys/tokens/{keyname}',
    route.authed(async (ctx, _req, res, p) => {
      const user = await resolveUser(ctx, p.user!);
      const k = await ctx.store.users.getAPIKeyByName(user.id, p.keyname!);
      if (!k) throw resourceNotFound();
      sendJson(res, 200, apiKeyJson(k));
    }),
  );

  router.get(
    '/api/v2/users/{user}/keys/{keyid}',
    route.authed(async (ctx, _req, res, p) => {
      const user = await resolveUser(ctx, p.user!);
      sendJson(res, 200, apiKeyJson(await getKey(ctx, user, p.keyid!)));
    }),
  );

  router.delete(
    '/api/v2/users/{user}/keys/{keyid}',
    route.authed(async (ctx, _req, res, p) => {
      const user = await resolveUser(ctx, p.user!);
      const k = await getKey(ctx, user, p.keyid!);
      await ctx.store.users.deleteAPIKeyByID(k.id);
      cp.forgetTokens();
      sendNoContent(res);
    }),
  );
}
