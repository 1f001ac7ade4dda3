import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from '../../server/router.js';
import { readBody, sendJson } from '../../server/respond.js';
import type { ControlPlaneContext } from '../deps.js';
import { readObject } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { registerOAuth2AppRoutes } from './apps-routes.js';
import { authenticateClient, checkCode, checkPkce, newSecret, oauth2Error, OAuth2ProtocolError, parseSecret, secretMatches } from './service.js';
import { GrantTypes, PKCECodeChallengeMethods, ResponseTypes, validateRegistration } from './types.js';

/** Access tokens are API keys of this lifetime; refresh tokens live 30 days; codes 10 minutes. */
const AccessTokenSeconds = 3600;
const RefreshTokenMs = 30 * 86_400_000;
const CodeMs = 10 * 60_000;

export function issuer(cp: ControlPlaneContext, req: IncomingMessage): string {
  if (cp.config.accessUrl) return cp.config.accessUrl.replace(/\/$/, '');
  return `http://${req.headers.host ?? 'localhost'}`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const body = (await readBody(req, 64 * 1024)).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      const o = JSON.parse(body || '{}') as Record<string, unknown>;
      return new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      throw oauth2Error(400, 'invalid_request', 'malformed JSON body');
    }
  }
  return new URLSearchParams(body);
}

/**
 * The OAuth2 provider: RFC 8414 metadata, RFC 7591 dynamic registration, the authorization-code
 * flow with S256 PKCE (access tokens are API keys, so they work as `Authorization: Bearer` on
 * the API), refresh-token rotation, RFC 7009 revocation, and Coder's admin endpoints for apps.
 */
export function registerOAuth2Routes(router: Router, cp: ControlPlaneContext): void {
  const { route, system } = cp;

  /** OAuth2 errors are RFC bodies, not Coder's `{message}`. */
  const oauth = (h: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) =>
    route.open(async (req, res, _p, url) => {
      try {
        await h(req, res, url);
      } catch (err) {
        if (err instanceof OAuth2ProtocolError) return sendJson(res, err.status, err.body, { 'cache-control': 'no-store' });
        throw err;
      }
    });

  router.get(
    '/.well-known/oauth-authorization-server',
    oauth(async (req, res) => {
      const base = issuer(cp, req);
      sendJson(res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/tokens`,
        registration_endpoint: `${base}/oauth2/register`,
        revocation_endpoint: `${base}/oauth2/revoke`,
        response_types_supported: [...ResponseTypes],
        grant_types_supported: [...GrantTypes],
        code_challenge_methods_supported: [...PKCECodeChallengeMethods],
        scopes_supported: [],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }),
  );

  router.post(
    '/oauth2/register',
    oauth(async (req, res) => {
      let body: Record<string, unknown>;
      try {
        body = await readObject(req);
      } catch {
        throw oauth2Error(400, 'invalid_client_metadata', 'the body must be a JSON object');
      }
      const v = validateRegistration(body);
      if ('error' in v) throw new OAuth2ProtocolError(400, v.error);
      const reg = v.ok;
      const registrationToken = newSecret();
      const out = await system.tx(async (s) => {
        const app = await s.oauth2.insertOAuth2ProviderApp({
          name: reg.client_name.slice(0, 64),
          icon: reg.logo_uri ?? '',
          callbackUrl: reg.redirect_uris[0] ?? '',
          dynamic: true,
          userId: null,
          reg,
          registrationToken: registrationToken.hashed,
        });
        let clientSecret: string | undefined;
        if (reg.token_endpoint_auth_method !== 'none') {
          const sec = newSecret();
          await s.oauth2.insertOAuth2ProviderAppSecret({ appId: app.id, prefix: sec.prefix, hashed: sec.hashed, display: sec.full.slice(-6) });
          clientSecret = sec.full;
        }
        return { app, clientSecret };
      });
      const base = issuer(cp, req);
      sendJson(
        res,
        201,
        {
          client_id: out.app.id,
          client_secret: out.clientSecret,
          client_id_issued_at: Math.floor(out.app.created_at.getTime() / 1000),
          client_secret_expires_at: 0,
          ...reg,
          registration_access_token: registrationToken.full,
          registration_client_uri: `${base}/oauth2/clients/${out.app.id}`,
        },
        { 'cache-control': 'no-store' },
      );
    }),
  );

  /** Validates an authorization request; the caller must be signed in. */
  const authorizeRequest = async (ctx: RequestContext, params: URLSearchParams) => {
    const app = await system.oauth2.getOAuth2ProviderAppByID(params.get('client_id') ?? '');
    if (!app) throw oauth2Error(400, 'invalid_client', 'unknown client_id');
    if (params.get('response_type') !== 'code') throw oauth2Error(400, 'invalid_request', 'response_type must be "code"');
    const registered = app.redirect_uris.length ? app.redirect_uris : [app.callback_url].filter(Boolean);
    const redirectUri = params.get('redirect_uri') ?? (registered.length === 1 ? registered[0] : '');
    if (!registered.includes(redirectUri)) throw oauth2Error(400, 'invalid_request', 'redirect_uri is not registered for this client');
    const pkce = checkPkce(params.get('code_challenge'), params.get('code_challenge_method'), app.token_endpoint_auth_method === 'none');
    return { app, redirectUri, pkce, state: params.get('state'), resource: params.get('resource') ?? undefined, userId: ctx.userId };
  };

  router.get(
    '/oauth2/authorize',
    route.authed(async (ctx, _req, res, _p, url) => {
      try {
        const a = await authorizeRequest(ctx, url.searchParams);
        sendJson(res, 200, { app: { id: a.app.id, name: a.app.name, icon: a.app.icon }, redirect_uri: a.redirectUri, state: a.state });
      } catch (err) {
        if (err instanceof OAuth2ProtocolError) return sendJson(res, err.status, err.body);
        throw err;
      }
    }),
  );

  router.post(
    '/oauth2/authorize',
    route.authed(async (ctx, req, res, _p, url) => {
      try {
        const params = new URLSearchParams(url.searchParams);
        for (const [k, v] of await readForm(req)) params.set(k, v);
        const a = await authorizeRequest(ctx, params);
        const code = newSecret();
        await ctx.store.oauth2.insertOAuth2ProviderAppCode({
          prefix: code.prefix,
          hashed: code.hashed,
          userId: ctx.userId,
          appId: a.app.id,
          expiresAt: new Date(Date.now() + CodeMs),
          redirectUri: a.redirectUri,
          challenge: a.pkce.challenge,
          method: a.pkce.method,
          resource: a.resource,
        });
        const to = new URL(a.redirectUri);
        to.searchParams.set('code', code.full);
        if (a.state) to.searchParams.set('state', a.state);
        res.writeHead(302, { location: to.toString(), 'cache-control': 'no-store' });
        res.end();
      } catch (err) {
        if (err instanceof OAuth2ProtocolError) return sendJson(res, err.status, err.body);
        throw err;
      }
    }),
  );

  router.post(
    '/oauth2/tokens',
    oauth(async (req, res) => {
      const form = await readForm(req);
      const grant = form.get('grant_type');
      if (grant !== 'authorization_code' && grant !== 'refresh_token') throw oauth2Error(400, 'unsupported_grant_type', `unsupported grant_type "${grant ?? ''}"`);
      const { app, secretId } = await authenticateClient(system, req, form);
      if (!app.grant_types.includes(grant)) throw oauth2Error(400, 'unauthorized_client', `the client may not use the ${grant} grant`);
      const out = await system.tx(async (s) => {
        let userId: string;
        let audience: string | undefined;
        const presented = parseSecret(form.get(grant === 'authorization_code' ? 'code' : 'refresh_token') ?? '');
        if (!presented) throw oauth2Error(400, 'invalid_grant', grant === 'authorization_code' ? 'invalid authorization code' : 'invalid refresh token');
        if (grant === 'authorization_code') {
          const code = checkCode(await s.oauth2.takeOAuth2ProviderAppCodeByPrefix(presented.prefix), presented.secret, app.id, form.get('redirect_uri'), form.get('code_verifier'));
          userId = code.user_id;
          audience = code.resource_uri ?? undefined;
        } else {
          const old = await s.oauth2.takeOAuth2ProviderAppTokenByPrefix(presented.prefix);
          if (!old || !secretMatches(presented.secret, old.refresh_hash) || old.app_id !== app.id || old.expires_at.getTime() <= Date.now()) {
            throw oauth2Error(400, 'invalid_grant', 'invalid refresh token');
          }
          await s.users.deleteAPIKeyByID(old.api_key_id);
          userId = old.user_id;
        }
        const user = await s.users.getUserByID(userId);
        if (!user || user.status === 'suspended') throw oauth2Error(400, 'invalid_grant', 'the user is not active');
        const key = await s.users.insertAPIKey({ userId, lifetimeSeconds: AccessTokenSeconds, loginType: 'oauth2_provider_app' });
        const refresh = newSecret();
        await s.oauth2.insertOAuth2ProviderAppToken({
          prefix: refresh.prefix,
          refreshHash: refresh.hashed,
          appSecretId: secretId,
          appId: app.id,
          apiKeyId: key.id,
          userId,
          expiresAt: new Date(Date.now() + RefreshTokenMs),
          audience,
        });
        return { key, refresh: refresh.full };
      });
      cp.forgetTokens();
      sendJson(
        res,
        200,
        { access_token: out.key.token, token_type: 'Bearer', expires_in: AccessTokenSeconds, refresh_token: out.refresh, expiry: out.key.expiresAt.toISOString() },
        { 'cache-control': 'no-store' },
      );
    }),
  );

  router.post(
    '/oauth2/revoke',
    oauth(async (req, res) => {
      const form = await readForm(req);
      const { app } = await authenticateClient(system, req, form);
      const presented = parseSecret(form.get('token') ?? '');
      if (presented) {
        await system.tx(async (s) => {
          const t = await s.oauth2.takeOAuth2ProviderAppTokenByPrefix(presented.prefix);
          if (t && t.app_id === app.id && secretMatches(presented.secret, t.refresh_hash)) await s.users.deleteAPIKeyByID(t.api_key_id);
          else if (t) throw oauth2Error(400, 'invalid_request', 'the token was not issued to this client');
        });
        cp.forgetTokens();
      }
      res.writeHead(200, { 'cache-control': 'no-store' });
      res.end();
    }),
  );

  registerOAuth2AppRoutes(router, cp, issuer);
}
