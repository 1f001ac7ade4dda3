import type { IncomingMessage } from 'node:http';
import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import { NotAuthorizedError } from '../dbauthz/store.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields, readObject } from '../httpapi/body.js';
import { forbidden, resourceNotFound, validationFailed } from '../httpapi/errors.js';
import { sendNoContent } from '../httpapi/route.js';
import { nameValid } from '../users/types.js';
import type { OAuth2App } from './queries.js';
import { newSecret } from './service.js';
import { validateRegistration } from './types.js';

function appJson(a: OAuth2App, base: string) {
  return {
    id: a.id,
    name: a.name,
    callback_url: a.callback_url,
    redirect_uris: a.redirect_uris,
    icon: a.icon,
    endpoints: { authorization: `${base}/oauth2/authorize`, token: `${base}/oauth2/tokens`, device_authorization: '' },
  };
}

/** Coder's admin endpoints for (non-dynamic) OAuth2 apps and their secrets: owners manage, members read. */
export function registerOAuth2AppRoutes(router: Router, cp: ControlPlaneContext, issuer: (cp: ControlPlaneContext, req: IncomingMessage) => string): void {
  const { route } = cp;
  router.post(
    '/api/v2/oauth2-provider/apps',
    route.authed(async (ctx, req, res) => {
      const f = new Fields(await readObject(req));
      const name = f.string('name', { required: true });
      const callback = f.string('callback_url', { required: true });
      const icon = f.string('icon') ?? '';
      if (name) {
        const bad = nameValid(name);
        if (bad) f.check('name', false, bad);
      }
      f.done();
      const v = validateRegistration({ redirect_uris: [callback], client_name: name });
      if ('error' in v) throw validationFailed([{ field: 'callback_url', detail: v.error.error_description ?? v.error.error }]);
      try {
        const app = await ctx.store.oauth2.insertOAuth2ProviderApp({ name: name!, icon, callbackUrl: callback!, dynamic: false, userId: ctx.userId, reg: v.ok });
        sendJson(res, 201, appJson(app, issuer(cp, req)));
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
    }),
  );

  router.get(
    '/api/v2/oauth2-provider/apps',
    route.authed(async (ctx, req, res) => {
      sendJson(res, 200, (await ctx.store.oauth2.getOAuth2ProviderApps()).map((a) => appJson(a, issuer(cp, req))));
    }),
  );

  router.get(
    '/api/v2/oauth2-provider/apps/{app}',
    route.authed(async (ctx, req, res, p) => {
      const app = await ctx.store.oauth2.getOAuth2ProviderAppByID(p.app!);
      if (!app) throw resourceNotFound();
      sendJson(res, 200, appJson(app, issuer(cp, req)));
    }),
  );

  router.delete(
    '/api/v2/oauth2-provider/apps/{app}',
    route.authed(async (ctx, _req, res, p) => {
      const app = await ctx.store.oauth2.getOAuth2ProviderAppByID(p.app!);
      if (!app) throw resourceNotFound();
      try {
        await ctx.store.oauth2.deleteOAuth2ProviderAppByID(app.id);
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
      sendNoContent(res);
    }),
  );

  router.post(
    '/api/v2/oauth2-provider/apps/{app}/secrets',
    route.authed(async (ctx, _req, res, p) => {
      const app = await ctx.store.oauth2.getOAuth2ProviderAppByID(p.app!);
      if (!app) throw resourceNotFound();
      const sec = newSecret();
      try {
        const row = await ctx.store.oauth2.insertOAuth2ProviderAppSecret({ appId: app.id, prefix: sec.prefix, hashed: sec.hashed, display: sec.full.slice(-6) });
        sendJson(res, 201, { id: row.id, client_secret_full: sec.full });
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
    }),
  );

  router.get(
    '/api/v2/oauth2-provider/apps/{app}/secrets',
    route.authed(async (ctx, _req, res, p) => {
      const app = await ctx.store.oauth2.getOAuth2ProviderAppByID(p.app!);
      if (!app) throw resourceNotFound();
      const rows = await ctx.store.oauth2.getOAuth2ProviderAppSecretsByAppID(app.id);
      sendJson(res, 200, rows.map((r) => ({ id: r.id, client_secret_truncated: r.display_secret, last_used_at: r.last_used_at?.toISOString() ?? null })));
    }),
  );
}
