import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config/index.js';
import { createControlPlane } from '../../src/controlplane/index.js';
import { authenticateApiKey } from '../../src/db/queries/api-keys.js';
import { startApiServer, type ApiServer } from '../../src/server/api-server.js';
import { engines } from '../helpers/db.js';
import { testLog } from '../helpers/log.js';
import { Client, createTemplate, createWorkspace, startHarness, type Harness } from './helpers.js';

type U = Client & { id: string; username: string };

describe.each(engines())('workspace sharing on $name', (engine) => {
  let h: Harness;
  let otherOrg: string;
  let orgAdmin: U, alice: U, bob: U, carol: U, dave: U;
  let wsAlice: { id: string }, wsCarol: { id: string };

  const acl = async (id: string) =>
    (await h.db.query<{ user_acl: object; group_acl: object }>('TestACL', 'SELECT user_acl, group_acl FROM workspaces WHERE id = $1', [id]))[0];
  const memberRole = async (orgId: string) =>
    (await h.db.query<{ org: { resource_type: string; action: string; negate: boolean }[]; member: { resource_type: string; action: string; negate: boolean }[] }>(
      'TestRole',
      `SELECT org_permissions AS org, member_permissions AS member FROM custom_roles WHERE organization_id = $1 AND name = 'organization-member' AND is_system`,
      [orgId],
    ))[0];
  const has = (perms: { resource_type: string; action: string; negate: boolean }[], negate: boolean) =>
    perms.some((p) => p.resource_type === 'workspace' && p.action === 'share' && p.negate === negate);

  beforeAll(async () => {
    h = await startHarness(engine);
    const org = await h.admin.post('/api/v2/organizations', { name: 'other-org', display_name: 'Other' });
    expect(org.status).toBe(201);
    otherOrg = org.body.id;
    orgAdmin = await h.user({ orgRoles: ['organization-admin'] });
    alice = await h.user();
    bob = await h.user();
    carol = await h.user();
    dave = await h.user();
    for (const u of [carol, dave]) expect((await h.admin.post(`/api/v2/organizations/${otherOrg}/members/${u.id}`)).status).toBe(201);
    // Carol belongs to the other organization only.
    expect((await h.admin.delete(`/api/v2/organizations/${h.orgId}/members/${carol.id}`)).status).toBe(204);
    const { template } = await createTemplate(h, h.admin);
    const { template: other } = await createTemplate(h, h.admin, { orgId: otherOrg });
    wsAlice = await createWorkspace(h, alice, template.id);
    wsCarol = await createWorkspace(h, carol, other.id, { orgId: otherOrg });
    expect((await alice.patch(`/api/v2/workspaces/${wsAlice.id}/acl`, { user_roles: { [bob.id]: 'use' } })).status).toBe(204);
    expect((await carol.patch(`/api/v2/workspaces/${wsCarol.id}/acl`, { user_roles: { [dave.id]: 'admin' } })).status).toBe(204);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shares a workspace through its ACL and reads the ACL back', async () => {
    expect((await bob.get(`/api/v2/workspaces/${wsAlice.id}`)).status).toBe(200);
    const list = await alice.get(`/api/v2/workspaces/${wsAlice.id}/acl`);
    expect(list.body).toEqual({ users: [expect.objectContaining({ id: bob.id, username: bob.username, role: 'use' })], group: [] });
    expect((await dave.get(`/api/v2/workspaces/${wsCarol.id}`)).status).toBe(200);
    expect((await bob.patch(`/api/v2/workspaces/${wsAlice.id}/acl`, { user_roles: { [carol.id]: 'use' } })).status).toBe(403);
    const bad = await alice.patch(`/api/v2/workspaces/${wsAlice.id}/acl`, { user_roles: { [dave.id]: 'owner' } });
    expect(bad.status).toBe(400);
    expect(bad.body.validations[0].field).toBe(`user_roles.${dave.id}`);
  });

  it('answers the sharing settings with 403, not 404, to users without organization read or update', async () => {
    const outsider = await carol.get(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`);
    expect(outsider.status).toBe(403);
    expect((await carol.patch(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`, { sharing_disabled: true })).status).toBe(403);
    expect(await bob.get(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`)).toMatchObject({ status: 200, body: { sharing_disabled: false } });
    expect((await bob.patch(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`, { sharing_disabled: true })).status).toBe(403);
  });

  it('disables sharing in one organization: clears its ACLs, edits its member role, leaves other orgs alone', async () => {
    expect(has((await memberRole(h.orgId)).member, false)).toBe(true);
    const res = await orgAdmin.patch(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`, { sharing_disabled: true });
    expect(res).toMatchObject({ status: 200, body: { sharing_disabled: true } });
    expect(await acl(wsAlice.id)).toEqual({ user_acl: {}, group_acl: {} });
    expect(await acl(wsCarol.id)).toEqual({ user_acl: { [dave.id]: { permissions: expect.arrayContaining(['read', 'share']) } }, group_acl: {} });
    expect((await bob.get(`/api/v2/workspaces/${wsAlice.id}`)).status).toBe(404);
    const role = await memberRole(h.orgId);
    expect(has(role.member, false)).toBe(false);
    expect(has(role.org, true)).toBe(true);
    expect(has((await memberRole(otherOrg)).member, false)).toBe(true);
    expect((await alice.get(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`)).body).toEqual({ sharing_disabled: true });
  });

  it('answers the ACL endpoints 403 while sharing is disabled, and re-enabling restores no ACL', async () => {
    for (const who of [alice, orgAdmin, h.admin]) {
      expect((await who.patch(`/api/v2/workspaces/${wsAlice.id}/acl`, { user_roles: { [bob.id]: 'use' } })).status).toBe(403);
      expect((await who.delete(`/api/v2/workspaces/${wsAlice.id}/acl`)).status).toBe(403);
    }
    expect((await dave.patch(`/api/v2/workspaces/${wsCarol.id}/acl`, { user_roles: {} })).status).toBe(204);
    expect((await orgAdmin.patch(`/api/v2/organizations/${h.orgId}/settings/workspace-sharing`, { sharing_disabled: false })).body).toEqual({ sharing_disabled: false });
    expect(await acl(wsAlice.id)).toEqual({ user_acl: {}, group_acl: {} });
    expect((await bob.get(`/api/v2/workspaces/${wsAlice.id}`)).status).toBe(404);
    expect(has((await memberRole(h.orgId)).member, false)).toBe(true);
    expect((await alice.patch(`/api/v2/workspaces/${wsAlice.id}/acl`, { user_roles: { [bob.id]: 'use' } })).status).toBe(204);
    expect((await bob.get(`/api/v2/workspaces/${wsAlice.id}`)).status).toBe(200);
    expect((await alice.delete(`/api/v2/workspaces/${wsAlice.id}/acl`)).status).toBe(204);
    expect((await bob.get(`/api/v2/workspaces/${wsAlice.id}`)).status).toBe(404);
  });

  it('ignores stored ACLs and refuses sharing when disabled deployment-wide', async () => {
    const cp = createControlPlane({
      config: testConfig({ disableWorkspaceSharing: true }),
      db: h.db,
      log: testLog,
      tokenCheck: (t) => authenticateApiKey(h.db, t),
      echoProvisioner: false,
    });
    await cp.ready;
    let api: ApiServer | undefined;
    try {
      api = await startApiServer({ address: '127.0.0.1:0', log: testLog, modules: [cp] });
      const d = new Client(api.url, dave.token);
      const c = new Client(api.url, carol.token);
      expect((await dave.get(`/api/v2/workspaces/${wsCarol.id}`)).status).toBe(200);
      expect((await d.get(`/api/v2/workspaces/${wsCarol.id}`)).status).toBe(404);
      expect((await c.patch(`/api/v2/workspaces/${wsCarol.id}/acl`, { user_roles: { [dave.id]: 'use' } })).status).toBe(403);
      expect((await c.get(`/api/v2/workspaces/${wsCarol.id}`)).status).toBe(200);
    } finally {
      await api?.close(1000);
      await cp.close?.();
    }
  });
});
