import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/db/queries/api-keys.js';
import { startApiServer, type ApiServer } from '../../src/server/api-server.js';
import { healthModule } from '../../src/server/health-module.js';
import { testLog } from '../helpers/log.js';

const principal = (roles: string[]): Principal => ({ userId: 'u', username: 'u', apiKeyId: 'k', roles, scopes: ['all'], expiresAt: new Date(Date.now() + 60_000) });

describe('health endpoints', () => {
  let api: ApiServer;
  beforeAll(async () => {
    const tokenCheck = async (t: string) => (t === 'owner-token' ? principal(['owner']) : t === 'member-token' ? principal([]) : undefined);
    api = await startApiServer({
      address: '127.0.0.1:0',
      log: testLog,
      modules: [healthModule(undefined, tokenCheck, [{ name: 'Database', run: async () => { throw new Error('connection refused to 10.0.0.5'); } }])],
    });
  });
  afterAll(() => api.close(100));

  it('answers /healthz without a login', async () => {
    const res = await request(`${api.url}/healthz`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('OK');
  });

  it('keeps the debug report, which names internal failures, for owners', async () => {
    const anon = await request(`${api.url}/api/v2/debug/health`);
    expect(anon.statusCode).toBe(401);
    expect(await anon.body.text()).not.toContain('10.0.0.5');
    const member = await request(`${api.url}/api/v2/debug/health`, { headers: { 'coder-session-token': 'member-token' } });
    expect(member.statusCode).toBe(403);
    expect(await member.body.text()).not.toContain('10.0.0.5');
    const owner = await request(`${api.url}/api/v2/debug/health`, { headers: { authorization: 'Bearer owner-token' } });
    expect(owner.statusCode).toBe(503);
    const report = (await owner.body.json()) as { healthy: boolean; checks: Record<string, { error?: string }> };
    expect(report.healthy).toBe(false);
    expect(report.checks.Database.error).toContain('connection refused');
  });
});
