import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/metrics/index.js';
import { startMetricsServer } from '../../src/server/metrics-server.js';
import { runCli } from '../cli/helpers.js';
import { engines } from '../helpers/db.js';
import { Client, startHarness, type Harness } from './helpers.js';

async function queryCount(labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric('coderd_db_query_counts_total')!.get();
  return m.values.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value ?? 0;
}

const keys = generateKeyPairSync('ed25519');

async function signLicense(claims: Record<string, unknown>, key: KeyObject = keys.privateKey): Promise<string> {
  return new SignJWT({ version: 3, ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: 'test-kid' }).sign(key);
}

describe.each(engines())('identity and licenses on $name', (engine) => {
  let h: Harness;
  let metrics: Awaited<ReturnType<typeof startMetricsServer>>;

  beforeAll(async () => {
    h = await startHarness(engine, { deps: { licenseKeys: { 'test-kid': keys.publicKey } } });
    metrics = await startMetricsServer('127.0.0.1:0');
  });
  afterAll(async () => {
    await metrics?.close();
    await h?.close();
  });

  it('creates a user who logs in with the password and reads /users/me', async () => {
    const created = await h.admin.post('/api/v2/users', { username: 'alice', email: 'alice@example.com', password: 'alice-password-1', name: 'Alice' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'alice', email: 'alice@example.com', name: 'Alice', status: 'active', login_type: 'password', organization_ids: [h.orgId], roles: [] });
    const login = await new Client(h.url).post('/api/v2/users/login', { email: 'alice@example.com', password: 'alice-password-1' });
    expect(login.status).toBe(201);
    expect(login.body.session_token).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
    expect(login.headers.get('set-cookie')).toContain('coder_session_token=');
    const me = await h.admin.as(login.body.session_token).get('/api/v2/users/me');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(created.body.id);
    const byName = await h.admin.get('/api/v2/users/alice');
    expect(byName.body.id).toBe(created.body.id);
  });

  it('refuses duplicate users with 409 and bad fields with Coder validations', async () => {
    const dup = await h.admin.post('/api/v2/users', { username: 'ALICE', email: 'other@example.com', password: 'alice-password-1' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('User already exists.');
    const bad = await h.admin.post('/api/v2/users', { username: 'not valid!', email: 'nope', password: 'short', login_type: 'password' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Validation failed.');
    expect(bad.body.validations.map((v: { field: string }) => v.field).sort()).toEqual(['email', 'password', 'username']);
  });

  it('accepts the session token from the Coder-Session-Token header, the cookie, and a bearer', async () => {
    const token = h.admin.token!;
    for (const headers of [{ 'Coder-Session-Token': token }, { cookie: `coder_session_token=${token}` }, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const res = await fetch(`${h.url}/api/v2/users/me`, { headers });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(h.adminId);
    }
  });

  it('answers 401 in Coder’s shape without a token, with a malformed one or an unknown one', async () => {
    const none = await new Client(h.url).get('/api/v2/users/me');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      message: 'You are signed out or your session has expired. Please sign in again to continue.',
      detail: 'Cookie "coder_session_token" must be provided.',
    });
    expect((await new Client(h.url, 'garbage').get('/api/v2/users/me')).status).toBe(401);
    expect((await new Client(h.url, 'aaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb').get('/api/v2/users/me')).status).toBe(401);
  });

  it('rejects a wrong password, then a suspended user, with 401; activation restores access', async () => {
    const u = await h.user({ password: true });
    expect((await new Client(h.url).post('/api/v2/users/login', { email: `${u.username}@example.com`, password: 'wrong-password' })).status).toBe(401);
    expect((await h.admin.put(`/api/v2/users/${u.id}/status/suspend`)).body.status).toBe('suspended');
    expect((await u.get('/api/v2/users/me')).status).toBe(401);
    const login = await new Client(h.url).post('/api/v2/users/login', { email: `${u.username}@example.com`, password: 'correct-horse-battery' });
    expect(login.status).toBe(401);
    expect(login.body.message).toContain('suspended');
    await h.admin.put(`/api/v2/users/${u.id}/status/activate`);
    expect((await u.get('/api/v2/users/me')).status).toBe(200);
    expect((await u.put(`/api/v2/users/${u.id}/status/suspend`)).status).toBe(400);
  });

  it('counts GetUserByID under the route /api/v2/users/{user} and background queries under an empty route', async () => {
    const labels = { route: '/api/v2/users/{user}', method: 'GET', query: 'GetUserByID' };
    const before = await queryCount(labels);
    expect((await h.admin.get('/api/v2/users/me')).status).toBe(200);
    expect(await queryCount(labels)).toBe(before + 1);
    const bg = { route: '', method: '', query: 'GetActiveUserCount' };
    const bgBefore = await queryCount(bg);
    await h.cp.license.refresh();
    expect(await queryCount(bg)).toBe(bgBefore + 1);
  });

  it('creates a named token with a lifetime in nanoseconds, refuses its name twice, and revokes it at once', async () => {
    const u = await h.user();
    const created = await u.post('/api/v2/users/me/keys/tokens', { lifetime: 3600 * 1e9, token_name: 'ci' });
    expect(created.status).toBe(201);
    const token = created.body.key as string;
    expect(token).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
    expect((await h.admin.as(token).get('/api/v2/users/me')).body.id).toBe(u.id);
    const listed = await u.get('/api/v2/users/me/keys/tokens');
    const entry = listed.body.find((k: { token_name: string }) => k.token_name === 'ci');
    expect(entry.lifetime_seconds).toBe(3600);
    expect(Date.parse(entry.expires_at) - Date.now()).toBeGreaterThan(3500_000);
    expect(Date.parse(entry.expires_at) - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(JSON.stringify(listed.body)).not.toContain(token.split('-')[1]);
    expect((await u.post('/api/v2/users/me/keys/tokens', { lifetime: 3600 * 1e9, token_name: 'ci' })).status).toBe(409);
    const generated = await u.post('/api/v2/users/me/keys/tokens', {});
    expect(generated.status).toBe(201);
    expect((await u.delete(`/api/v2/users/me/keys/${entry.id}`)).status).toBe(204);
    expect((await h.admin.as(token).get('/api/v2/users/me')).status).toBe(401);
  });

  it('hides other users from members (404) and lets only user admins create users, without granting owner', async () => {
    const member = await h.user();
    expect((await member.get(`/api/v2/users/${h.adminId}`)).status).toBe(404);
    expect((await member.post(`/api/v2/users/${h.adminId}/keys/tokens`, {})).status).toBe(404);
    expect((await member.post('/api/v2/users', { username: 'mallory', email: 'm@example.com', login_type: 'none' })).status).toBe(403);
    const userAdmin = await h.user({ roles: ['user-admin'] });
    expect((await userAdmin.post('/api/v2/users', { username: 'bob', email: 'bob@example.com', login_type: 'none' })).status).toBe(201);
    const escalate = await userAdmin.post('/api/v2/users', { username: 'eve', email: 'eve@example.com', login_type: 'none', roles: ['owner'] });
    expect(escalate.status).toBe(403);
    expect((await h.admin.get('/api/v2/users/eve')).status).toBe(404);
  });

  it('lists the default organization to members and manages org roles for owners', async () => {
    const member = await h.user();
    const orgs = await member.get('/api/v2/organizations');
    expect(orgs.body.map((o: { id: string }) => o.id)).toEqual([h.orgId]);
    expect(orgs.body[0]).toMatchObject({ name: 'coder', is_default: true });
    const r = await h.admin.put(`/api/v2/organizations/${h.orgId}/members/${member.id}/roles`, { roles: ['organization-template-admin'] });
    expect(r.status).toBe(200);
    expect(r.body.roles.map((x: { name: string }) => x.name)).toEqual(['organization-template-admin']);
    expect((await member.put(`/api/v2/organizations/${h.orgId}/members/${member.id}/roles`, { roles: ['organization-admin'] })).status).toBe(400);
    const other = await h.user();
    expect((await member.put(`/api/v2/organizations/${h.orgId}/members/${other.id}/roles`, { roles: ['organization-admin'] })).status).toBe(404);
  });

  it('creates users and tokens through the running server from the CLI with --url', async () => {
    const env = { CODER_SESSION_TOKEN: h.admin.token! };
    const u = await runCli(['users', 'create', '--url', h.url, '--username', 'clara', '--email', 'clara@example.com', '--role', 'template-admin'], env);
    expect(u.code, u.err).toBe(0);
    expect(u.out).toMatch(/^[0-9a-f-]{36}$/);
    const t = await runCli(['tokens', 'create', '--url', h.url, '--user', 'clara', '--lifetime', '2h', '--name', 'cli'], env);
    expect(t.code, t.err).toBe(0);
    const me = await h.admin.as(t.out).get('/api/v2/users/me');
    expect(me.body).toMatchObject({ id: u.out, username: 'clara', roles: [{ name: 'template-admin', display_name: 'Template Admin' }] });
  });

  it('exports license gauges at 0 when healthy and tracks warnings and errors of uploaded licenses', async () => {
    const scrape = async () => (await (await fetch(`http://${metrics.address}/metrics`)).text()).split('\n');
    await h.cp.license.refresh();
    let lines = await scrape();
    expect(lines).toContain('coderd_license_warnings 0');
    expect(lines).toContain('coderd_license_errors 0');

    const nowS = Math.floor(Date.now() / 1000);
    const active = (await h.cp.license.refresh()).features.user_limit.actual!;
    const soon = await signLicense({ license_id: 'soon', license_expires: nowS + 10 * 86400, exp: nowS + 40 * 86400, features: { user_limit: active - 1 } });
    expect((await h.admin.post('/api/v2/licenses', { license: soon })).status).toBe(201);
    lines = await scrape();
    expect(lines).toContain('coderd_license_warnings 1');
    expect(lines).toContain('coderd_license_errors 1');
    expect(lines).toContain(`coderd_license_user_limit{entitled="true"} ${active - 1}`);
    expect(lines).toContain(`coderd_license_active_users{entitled="true"} ${active}`);
    const ent = await h.admin.get('/api/v2/entitlements');
    expect(ent.body.warnings).toEqual(['Your license expires in 10 days.']);
    expect(ent.body.errors).toEqual([`Your deployment has ${active} active users but is only licensed for ${active - 1}.`]);

    const forged = await signLicense({ license_expires: nowS + 400 * 86400, exp: nowS + 400 * 86400 }, generateKeyPairSync('ed25519').privateKey);
    expect((await h.admin.post('/api/v2/licenses', { license: forged })).status).toBe(400);
    const member = await h.user();
    expect((await member.post('/api/v2/licenses', { license: soon })).status).toBe(403);

    const list = await h.admin.get('/api/v2/licenses');
    for (const l of list.body) expect((await h.admin.delete(`/api/v2/licenses/${l.id}`)).status).toBe(200);
    lines = await scrape();
    expect(lines).toContain('coderd_license_warnings 0');
    expect(lines).toContain('coderd_license_errors 0');
  });
});
