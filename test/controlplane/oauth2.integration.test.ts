import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/db.js';
import { Client, startHarness, type Harness } from './helpers.js';

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const redirect = 'http://127.0.0.1:9/callback';

describe.each(engines())('OAuth2 provider on $name', (engine) => {
  let h: Harness;
  let anon: Client;

  const register = (body: Record<string, unknown>) => anon.post('/oauth2/register', body);
  const tokens = (form: Record<string, string>, basic?: [string, string]) =>
    fetch(`${h.url}/oauth2/tokens`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(basic ? { authorization: `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}` } : {}),
      },
      body: new URLSearchParams(form).toString(),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
  const authorize = async (as: Client, params: Record<string, string>) => {
    const res = await fetch(`${h.url}/oauth2/authorize?${new URLSearchParams(params)}`, { method: 'POST', headers: { 'Coder-Session-Token': as.token! }, redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), body: res.status === 302 ? undefined : await res.json() };
  };

  beforeAll(async () => {
    h = await startHarness(engine);
    anon = new Client(h.url);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses private_key_jwt and plain PKCE at registration, and stores an omitted auth method as client_secret_basic', async () => {
    const jwt = await register({ redirect_uris: [redirect], token_endpoint_auth_method: 'private_key_jwt' });
    expect(jwt.status).toBe(400);
    expect(jwt.body).toEqual({ error: 'invalid_client_metadata', error_description: 'unsupported token endpoint auth method "private_key_jwt"' });
    const plain = await register({ redirect_uris: [redirect], code_challenge_method: 'plain' });
    expect(plain.status).toBe(400);
    expect(plain.body.error_description).toBe('OAuth 2.1 only supports S256 (plain is rejected)');
    const ok = await register({ redirect_uris: [redirect] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_name: 'Dynamically Registered Client',
      client_secret_expires_at: 0,
    });
    expect(ok.body.client_secret).toMatch(/^coder_[a-z0-9]{10}_[a-z0-9]{40}$/);
    const row = await h.db.query<{ m: string; d: boolean }>('TestApp', 'SELECT token_endpoint_auth_method AS m, dynamically_registered AS d FROM oauth2_provider_apps WHERE id = $1', [ok.body.client_id]);
    expect(row[0]).toEqual({ m: 'client_secret_basic', d: true });
  });

  it.each([
    [{ redirect_uris: [redirect], grant_types: ['password'] }, 'invalid_client_metadata'],
    [{ redirect_uris: [redirect], response_types: ['token'] }, 'invalid_client_metadata'],
    [{ redirect_uris: ['http://example.com/cb'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://example.com/cb#frag'] }, 'invalid_redirect_uri'],
    [{}, 'invalid_redirect_uri'],
  ])('rejects registration %j with %s', async (body, error) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
  });

  it('advertises S256 only in its metadata', async () => {
    const m = await anon.get('/.well-known/oauth-authorization-server');
    expect(m.body).toMatchObject({
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      registration_endpoint: `${h.url}/oauth2/register`,
    });
  });

  it('runs the code flow with S256 PKCE: the access token is a bearer on the API, refresh rotates, revoke ends it', async () => {
    const app = (await register({ redirect_uris: [redirect], client_name: 'ide' })).body;
    const user = await h.user();
    const plain = await authorize(user, { client_id: app.client_id, response_type: 'code', redirect_uri: redirect, code_challenge: verifier, code_challenge_method: 'plain' });
    expect(plain.status).toBe(400);
    expect(plain.body).toEqual({ error: 'invalid_request', error_description: 'OAuth 2.1 only supports S256 (plain is rejected)' });
    expect((await authorize(user, { client_id: app.client_id, response_type: 'code', redirect_uri: 'https://evil.example/cb' })).status).toBe(400);

    const ok = await authorize(user, { client_id: app.client_id, response_type: 'code', redirect_uri: redirect, state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(ok.status).toBe(302);
    const loc = new URL(ok.location!);
    expect(loc.origin + loc.pathname).toBe(redirect);
    expect(loc.searchParams.get('state')).toBe('xyz');
    const code = loc.searchParams.get('code')!;

    const creds: [string, string] = [app.client_id, app.client_secret];
    expect((await tokens({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }, [app.client_id, 'coder_aaaaaaaaaa_' + 'b'.repeat(40)])).status).toBe(401);
    const wrongVerifierCode = new URL(
      (await authorize(user, { client_id: app.client_id, response_type: 'code', redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256' })).location!,
    ).searchParams.get('code')!;
    const badPkce = await tokens({ grant_type: 'authorization_code', code: wrongVerifierCode, redirect_uri: redirect, code_verifier: 'x'.repeat(43) }, creds);
    expect(badPkce).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'PKCE verification failed' } });

    const t = await tokens({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }, creds);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const me = await fetch(`${h.url}/api/v2/users/me`, { headers: { authorization: `Bearer ${t.body.access_token}` } });
    expect(((await me.json()) as { id: string }).id).toBe(user.id);
    expect((await tokens({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }, creds)).body.error).toBe('invalid_grant');

    const r = await tokens({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token }, creds);
    expect(r.status).toBe(200);
    expect((await fetch(`${h.url}/api/v2/users/me`, { headers: { authorization: `Bearer ${t.body.access_token}` } })).status).toBe(401);
    expect((await tokens({ grant_type: 'refresh_token', refresh_token: t.body.refresh_token }, creds)).body.error).toBe('invalid_grant');

    const rev = await fetch(`${h.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(creds.join(':')).toString('base64')}` },
      body: new URLSearchParams({ token: r.body.refresh_token, token_type_hint: 'refresh_token' }).toString(),
    });
    expect(rev.status).toBe(200);
    expect((await fetch(`${h.url}/api/v2/users/me`, { headers: { authorization: `Bearer ${r.body.access_token}` } })).status).toBe(401);
  });

  it('requires PKCE from public clients and the registered method from confidential ones', async () => {
    const pub = (await register({ redirect_uris: [redirect], token_endpoint_auth_method: 'none' })).body;
    expect(pub.client_secret).toBeUndefined();
    const user = await h.user();
    expect((await authorize(user, { client_id: pub.client_id, response_type: 'code', redirect_uri: redirect })).body.error_description).toBe('public clients must use PKCE (S256)');
    const post = (await register({ redirect_uris: [redirect], token_endpoint_auth_method: 'client_secret_post' })).body;
    const code = new URL((await authorize(user, { client_id: post.client_id, response_type: 'code', redirect_uri: redirect })).location!).searchParams.get('code')!;
    expect((await tokens({ grant_type: 'authorization_code', code, redirect_uri: redirect }, [post.client_id, post.client_secret])).status).toBe(401);
    const ok = await tokens({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: post.client_id, client_secret: post.client_secret });
    expect(ok.status).toBe(200);
  });

  it('lets owners, not members, manage apps and their secrets', async () => {
    const member = await h.user();
    expect((await member.post('/api/v2/oauth2-provider/apps', { name: 'tool', callback_url: redirect })).status).toBe(403);
    const app = await h.admin.post('/api/v2/oauth2-provider/apps', { name: 'tool', callback_url: redirect });
    expect(app.status).toBe(201);
    expect(app.body.endpoints.token).toBe(`${h.url}/oauth2/tokens`);
    expect((await member.get(`/api/v2/oauth2-provider/apps/${app.body.id}`)).status).toBe(200);
    const secret = await h.admin.post(`/api/v2/oauth2-provider/apps/${app.body.id}/secrets`);
    expect(secret.body.client_secret_full).toMatch(/^coder_/);
    expect((await member.post(`/api/v2/oauth2-provider/apps/${app.body.id}/secrets`)).status).toBe(403);
    expect((await h.admin.get(`/api/v2/oauth2-provider/apps/${app.body.id}/secrets`)).body).toHaveLength(1);
    expect((await member.delete(`/api/v2/oauth2-provider/apps/${app.body.id}`)).status).toBe(403);
    expect((await h.admin.delete(`/api/v2/oauth2-provider/apps/${app.body.id}`)).status).toBe(204);
  });
});
