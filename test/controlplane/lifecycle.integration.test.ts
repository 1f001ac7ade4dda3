import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotAuthorizedError } from '../../src/controlplane/dbauthz/store.js';
import { subjectOf } from '../../src/controlplane/httpapi/context.js';
import type { Subject } from '../../src/controlplane/rbac/index.js';
import { engines } from '../helpers/db.js';
import { build, createTemplate, createWorkspace, startHarness, type Client, type Harness } from './helpers.js';

describe.each(engines())('templates, workspaces, builds and state on $name', (engine) => {
  let h: Harness;
  let templateAdmin: Client & { id: string };
  let member: Client & { id: string; username: string };
  let template: { id: string; active_version_id: string };

  const count = async (sql: string, params: unknown[] = []) => (await h.db.query<{ n: number }>('TestCount', sql, params))[0].n;
  const subjectFor = async (userId: string): Promise<Subject> =>
    subjectOf((await h.cp.system.users.getAuthorizationUserRoles(userId))!, ['all'], { disableWorkspaceSharing: false });
  const rawState = async (buildId: string) =>
    (await h.db.query<{ s: Buffer | null }>('TestState', 'SELECT provisioner_state AS s FROM workspace_builds WHERE id = $1', [buildId]))[0].s;

  beforeAll(async () => {
    h = await startHarness(engine);
    templateAdmin = await h.user({ roles: ['template-admin'] });
    member = await h.user();
    ({ template } = await createTemplate(h, templateAdmin, {
      spec: { parameters: [{ name: 'region', default_value: 'eu', mutable: false }, { name: 'size', default_value: 'small', mutable: true }] },
    }));
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('the authorizing data layer on real rows (roles × operations)', () => {
    const ops = ['readWorkspace', 'readBuild', 'readState', 'readTemplate', 'updateTemplate', 'shareWorkspace', 'readLicenses', 'readOwner'] as const;
    type Op = (typeof ops)[number];
    const allowed: Record<string, Op[]> = {
      owner: [...ops],
      'template-admin': ['readWorkspace', 'readBuild', 'readState', 'readTemplate', 'updateTemplate', 'readOwner'],
      'workspace owner': ['readWorkspace', 'readBuild', 'shareWorkspace', 'readTemplate', 'readOwner'],
      'other member': ['readTemplate'],
      auditor: ['readTemplate', 'readOwner'],
      'organization-admin': ['readWorkspace', 'readBuild', 'readState', 'readTemplate', 'updateTemplate', 'shareWorkspace', 'readOwner'],
    };
    let ws: { id: string; latest_build: { id: string } };
    const userIds: Record<string, string> = {};

    beforeAll(async () => {
      ws = await createWorkspace(h, member, template.id);
      userIds.owner = h.adminId;
      userIds['template-admin'] = templateAdmin.id;
      userIds['workspace owner'] = member.id;
      userIds['other member'] = (await h.user()).id;
      userIds.auditor = (await h.user({ roles: ['auditor'] })).id;
      userIds['organization-admin'] = (await h.user({ orgRoles: ['organization-admin'] })).id;
    });

    const run = async (op: Op, role: string) => {
      const s = h.cp.system.as(await subjectFor(userIds[role]));
      const sys = h.cp.system;
      switch (op) {
        case 'readWorkspace':
          return s.workspaces.getWorkspaceByID(ws.id);
        case 'readBuild':
          return s.builds.getWorkspaceBuildByID(ws.latest_build.id);
        case 'readState':
          return s.builds.getWorkspaceBuildProvisionerStateByID(ws.latest_build.id);
        case 'readTemplate':
          return s.templates.getTemplateByID(template.id);
        case 'updateTemplate': {
          const t = (await sys.templates.getTemplateByID(template.id))!;
          return s.templates.updateTemplateACLByID(t, t.user_acl, t.group_acl);
        }
        case 'shareWorkspace': {
          const w = (await sys.workspaces.getWorkspaceByID(ws.id))!;
          return s.workspaces.updateWorkspaceACLByID(w, w.user_acl, w.group_acl);
        }
        case 'readLicenses':
          return s.licenses.getLicenses();
        case 'readOwner':
          return s.users.getUserByID(member.id);
      }
    };

    it.each(Object.keys(allowed).flatMap((role) => ops.map((op) => ({ role, op, want: allowed[role].includes(op) }))))('$role: $op allowed is $want', async ({ role, op, want }) => {
      if (!want) return void (await expect(run(op, role)).rejects.toBeInstanceOf(NotAuthorizedError));
      const v = await run(op, role);
      if (op.startsWith('read')) expect(v).toBeTruthy();
    });
  });

  it('runs a workspace through start and stop with the echo provisioner', async () => {
    const ws = await createWorkspace(h, member, template.id, { name: 'life' });
    expect(ws).toMatchObject({ name: 'life', owner_id: member.id, template_id: template.id, latest_build: { build_number: 1, transition: 'start' } });
    let got = await member.get(`/api/v2/workspaces/${ws.id}`);
    expect(got.body.latest_build.job.status).toBe('succeeded');
    expect(got.body.latest_build.status).toBe('running');
    expect(got.body.latest_build.resources).toMatchObject([{ name: 'dev', type: 'echo_instance', agents: [{ name: 'main', operating_system: 'linux' }] }]);
    expect(JSON.stringify(got.body)).not.toContain('auth_token');
    const stop = await build(h, member, ws.id, { transition: 'stop' });
    expect(stop.status).toBe(201);
    got = await member.get(`/api/v2/workspaces/${ws.id}`);
    expect(got.body.latest_build).toMatchObject({ build_number: 2, transition: 'stop', status: 'stopped' });
    expect(got.body.latest_build.resources[0].agents).toEqual([]);
    const builds = await member.get(`/api/v2/workspaces/${ws.id}/builds`);
    expect(builds.body.map((b: { build_number: number }) => b.build_number)).toEqual([2, 1]);
    const params = await member.get(`/api/v2/workspacebuilds/${stop.body.id}/parameters`);
    expect(params.body).toEqual([
      { name: 'region', value: 'eu' },
      { name: 'size', value: 'small' },
    ]);
  });

  it('has no provisioner_state in workspace_build_with_user, and build reads never return it', async () => {
    const cols = await h.db.query<{ c: string }>(
      'TestColumns',
      `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'workspace_build_with_user'`,
    );
    expect(cols.map((r) => r.c)).toContain('build_number');
    expect(cols.map((r) => r.c)).not.toContain('provisioner_state');
    const ws = await createWorkspace(h, member, template.id);
    const b = await h.cp.system.as(await subjectFor(templateAdmin.id)).builds.getWorkspaceBuildByID(ws.latest_build.id);
    expect(b).toBeDefined();
    expect(Object.keys(b!)).not.toContain('provisioner_state');
    expect((await rawState(ws.latest_build.id))!.length).toBeGreaterThan(0);
    const api = await templateAdmin.get(`/api/v2/workspacebuilds/${ws.latest_build.id}`);
    expect(api.text).not.toMatch(/provisioner_state|"state"/);
  });

  it('GetWorkspaceBuildProvisionerStateByID gives template admins the state with its template, and owners NotAuthorized', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const row = await h.cp.system.as(await subjectFor(templateAdmin.id)).builds.getWorkspaceBuildProvisionerStateByID(ws.latest_build.id);
    expect(row).toMatchObject({ template_id: template.id, template_organization_id: h.orgId, user_acl: {}, group_acl: { [h.orgId]: ['read', 'use'] } });
    expect(Buffer.isBuffer(row!.provisioner_state)).toBe(true);
    expect(JSON.parse(row!.provisioner_state!.toString())).toMatchObject({ version: 4 });
    await expect(h.cp.system.as(await subjectFor(member.id)).builds.getWorkspaceBuildProvisionerStateByID(ws.latest_build.id)).rejects.toBeInstanceOf(NotAuthorizedError);
  });

  it('GET …/state answers the owner without template:update 404, and a template admin 200 with raw JSON bytes', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const denied = await member.get(`/api/v2/workspacebuilds/${ws.latest_build.id}/state`);
    expect(denied.status).toBe(404);
    expect(denied.body.message).toBe('Resource not found or you do not have access to this resource');
    const ok = await fetch(`${h.url}/api/v2/workspacebuilds/${ws.latest_build.id}/state`, { headers: { 'Coder-Session-Token': templateAdmin.token! } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    const bytes = Buffer.from(await ok.arrayBuffer());
    expect(bytes.equals((await rawState(ws.latest_build.id))!)).toBe(true);
  });

  it('PUT …/state replaces the state in place with no new build or job for a template admin, and is denied to the owner', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const buildsBefore = await count('SELECT count(*)::int8 AS n FROM workspace_builds');
    const jobsBefore = await count('SELECT count(*)::int8 AS n FROM provisioner_jobs');
    const pushed = Buffer.from(JSON.stringify({ version: 4, serial: 7, resources: [] }));
    const put = await templateAdmin.put(`/api/v2/workspacebuilds/${ws.latest_build.id}/state`, pushed, { 'content-type': 'application/json' });
    expect(put.status).toBe(204);
    expect((await rawState(ws.latest_build.id))!.equals(pushed)).toBe(true);
    expect(await count('SELECT count(*)::int8 AS n FROM workspace_builds')).toBe(buildsBefore);
    expect(await count('SELECT count(*)::int8 AS n FROM provisioner_jobs')).toBe(jobsBefore);
    const denied = await member.put(`/api/v2/workspacebuilds/${ws.latest_build.id}/state`, Buffer.from('{"evil":true}'), { 'content-type': 'application/json' });
    expect(denied.status).toBe(404);
    expect((await rawState(ws.latest_build.id))!.equals(pushed)).toBe(true);
  });

  it('copies the previous state into a member’s new build through the workspace builder, though the member cannot read it', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const pushed = Buffer.from('{"version":4,"serial":42,"pushed":true}');
    expect((await templateAdmin.put(`/api/v2/workspacebuilds/${ws.latest_build.id}/state`, pushed, { 'content-type': 'application/json' })).status).toBe(204);
    const stop = await member.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'stop' });
    expect(stop.status).toBe(201);
    expect((await rawState(stop.body.id))!.equals(pushed)).toBe(true);
    await h.cp.provisioner!.waitForJob(stop.body.job.id);
    expect((await member.get(`/api/v2/workspacebuilds/${stop.body.id}/state`)).status).toBe(404);
    const after = await templateAdmin.get(`/api/v2/workspacebuilds/${stop.body.id}/state`);
    expect(after.text).toBe(pushed.toString());
  });

  it('lets one of two simultaneous builds through and answers the other 409', async () => {
    // A terraform template: no provisioner in the process picks its jobs, so the winner stays pending.
    const file = await templateAdmin.post('/api/v2/files', Buffer.from('{"race":true}'), { 'content-type': 'application/json' });
    const v = await templateAdmin.post(`/api/v2/organizations/${h.orgId}/templateversions`, { storage_method: 'file', file_id: file.body.hash, provisioner: 'terraform' });
    const complete = async () => {
      const job = await templateAdmin.post('/api/v2/provisionerdaemons/jobs/acquire', { provisioner_types: ['terraform'] });
      expect(job.status).toBe(200);
      expect((await templateAdmin.post(`/api/v2/provisionerjobs/${job.body.job_id}/complete`, {})).status).toBe(200);
    };
    await complete();
    const t = await templateAdmin.post(`/api/v2/organizations/${h.orgId}/templates`, { name: 'racy', template_version_id: v.body.id });
    const ws = (await member.post(`/api/v2/organizations/${h.orgId}/members/me/workspaces`, { template_id: t.body.id, name: 'racy' })).body;
    await complete();
    const [a, b] = await Promise.all([
      member.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'stop' }),
      member.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'stop' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((a.status === 409 ? a : b).body.message).toBe('A workspace build is already active.');
    await complete();
    expect((await member.get(`/api/v2/workspaces/${ws.id}/builds`)).body.map((x: { build_number: number; status: string }) => [x.build_number, x.status])).toEqual([
      [2, 'stopped'],
      [1, 'running'],
    ]);
  });

  it('refuses a workspace for a user outside the template’s organization', async () => {
    const org = await h.admin.post('/api/v2/organizations', { name: `elsewhere-${Math.random().toString(36).slice(2, 6)}` });
    const { template: t } = await createTemplate(h, h.admin, { orgId: org.body.id });
    const res = await h.admin.post(`/api/v2/users/${member.id}/workspaces`, { template_id: t.id, name: 'outside' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('not a member');
  });

  it('lets only template managers give a build explicit state (a template admin may not stop others’ workspaces)', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const state = Buffer.from('{"explicit":1}').toString('base64');
    const denied = await member.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'stop', state });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toBe('Only template managers may provide custom state.');
    const notTheirs = await templateAdmin.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'stop', state });
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.body.message).toBe('Unauthorized to stop workspace.');
    const ok = await build(h, h.admin, ws.id, { transition: 'stop', state });
    expect(ok.status).toBe(201);
    expect((await rawState(ok.body.id))!.toString()).toBe('{"explicit":1}');
  });

  it('authorizes build parameters by transition: start, stop and delete builds need exactly those actions', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const stop = await build(h, member, ws.id, { transition: 'stop' });
    const del = await build(h, member, ws.id, { transition: 'delete' });
    const byTransition = { start: ws.latest_build.id, stop: stop.body.id, delete: del.body.id } as Record<string, string>;
    const only = (action: string): Subject => ({
      id: '99999999-9999-9999-9999-999999999999',
      friendlyName: `only-${action}`,
      type: 'user',
      roles: [{ name: 'custom', displayName: '', site: [{ negate: false, resource_type: 'workspace', action }], user: [], byOrg: {} }],
      groups: [],
      orgIds: [],
      scopes: ['all'],
    });
    let n = 0;
    for (const transition of ['start', 'stop', 'delete']) {
      for (const action of ['start', 'stop', 'delete', 'update']) {
        const attempt = h.cp.system.as(only(action)).builds.insertWorkspaceBuildParameters(byTransition[transition], [{ name: `p${n++}`, value: 'v' }]);
        if (action === transition) await expect(attempt, `${action} on a ${transition} build`).resolves.toBeUndefined();
        else await expect(attempt, `${action} on a ${transition} build`).rejects.toBeInstanceOf(NotAuthorizedError);
      }
    }
  });

  it('lets a user shared with "use" (start, no update) build with parameters, but not delete', async () => {
    const ws = await createWorkspace(h, member, template.id);
    const friend = await h.user();
    expect((await member.patch(`/api/v2/workspaces/${ws.id}/acl`, { user_roles: { [friend.id]: 'use' } })).status).toBe(204);
    const stop = await build(h, friend, ws.id, { transition: 'stop', rich_parameter_values: [{ name: 'size', value: 'large' }] });
    expect(stop.status).toBe(201);
    const start = await build(h, friend, ws.id, { transition: 'start', rich_parameter_values: [{ name: 'size', value: 'medium' }] });
    expect(start.status).toBe(201);
    expect((await friend.get(`/api/v2/workspacebuilds/${start.body.id}/parameters`)).body).toContainEqual({ name: 'size', value: 'medium' });
    const del = await friend.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'delete' });
    expect(del.status).toBe(403);
    const immutable = await member.post(`/api/v2/workspaces/${ws.id}/builds`, { transition: 'stop', rich_parameter_values: [{ name: 'region', value: 'us' }] });
    expect(immutable.status).toBe(400);
    expect(immutable.body.validations).toEqual([{ field: 'region', detail: 'Parameter "region" is not mutable, so it can\'t be updated after creating a workspace.' }]);
  });

  it('deletes a workspace with a delete build (410 after, name reusable) and carries build reasons', async () => {
    const ws = await createWorkspace(h, member, template.id, { name: 'doomed' });
    const del = await build(h, member, ws.id, { transition: 'delete', reason: 'cli' });
    expect(del.body.reason).toBe('cli');
    expect((await member.get(`/api/v2/workspaces/${ws.id}`)).status).toBe(410);
    expect((await member.get(`/api/v2/workspaces/${ws.id}?include_deleted=true`)).body.latest_build.status).toBe('deleted');
    const again = await createWorkspace(h, member, template.id, { name: 'doomed' });
    const pause = await build(h, member, again.id, { transition: 'stop', reason: 'task_manual_pause' });
    expect(pause.body.reason).toBe('task_manual_pause');
    const resume = await build(h, member, again.id, { transition: 'start', reason: 'task_resume' });
    expect(resume.body.reason).toBe('task_resume');
    expect((await member.post(`/api/v2/workspaces/${again.id}/builds`, { transition: 'stop', reason: 'autostop' })).status).toBe(400);
    const enumValues = await h.db.query<{ v: string }>('TestEnum', `SELECT unnest(enum_range(NULL::build_reason))::text AS v`);
    expect(enumValues.map((r) => r.v)).toEqual(expect.arrayContaining(['task_auto_pause', 'task_manual_pause', 'task_resume']));
  });

  it('deletes a template: 403 without template:delete, 400 while workspaces exist, 200 once they are gone', async () => {
    const { template: t } = await createTemplate(h, templateAdmin);
    const denied = await member.delete(`/api/v2/templates/${t.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe('Forbidden.');
    const ws = await createWorkspace(h, member, t.id);
    for (const who of [member, templateAdmin]) {
      const busy = await who.delete(`/api/v2/templates/${t.id}`);
      expect(busy.status).toBe(400);
      expect(busy.body.message).toBe('All workspaces must be deleted before a template can be removed.');
    }
    await build(h, member, ws.id, { transition: 'delete' });
    const ok = await templateAdmin.delete(`/api/v2/templates/${t.id}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: 'Template has been deleted!' });
    expect((await templateAdmin.get(`/api/v2/templates/${t.id}`)).status).toBe(404);
  });

  it('keeps template creation for template admins and hides templates without Everyone access from members', async () => {
    const file = await member.post('/api/v2/files', Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(file.status).toBe(201);
    const v = await member.post(`/api/v2/organizations/${h.orgId}/templateversions`, { storage_method: 'file', file_id: file.body.hash, provisioner: 'echo' });
    expect(v.status).toBe(403);
    const { template: hidden } = await createTemplate(h, templateAdmin, { body: { disable_everyone_group_access: true } });
    expect((await member.get(`/api/v2/templates/${hidden.id}`)).status).toBe(404);
    const ws = await member.post(`/api/v2/organizations/${h.orgId}/members/me/workspaces`, { template_id: hidden.id, name: 'nope' });
    expect(ws.status).toBe(400);
    expect((await templateAdmin.patch(`/api/v2/templates/${hidden.id}/acl`, { user_perms: { [member.id]: 'use' } })).status).toBe(200);
    expect((await member.get(`/api/v2/templates/${hidden.id}`)).status).toBe(200);
    const dup = await member.post('/api/v2/files', Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(dup).toMatchObject({ status: 200, body: { hash: file.body.hash } });
    expect((await member.post('/api/v2/files', Buffer.from('x'), { 'content-type': 'text/plain' })).status).toBe(400);
  });

  it('queues terraform jobs for an external provisioner: acquire, complete, and 409 while a build is active', async () => {
    const file = await templateAdmin.post('/api/v2/files', Buffer.from('{"tf":true}'), { 'content-type': 'application/json' });
    const v = await templateAdmin.post(`/api/v2/organizations/${h.orgId}/templateversions`, { storage_method: 'file', file_id: file.body.hash, provisioner: 'terraform' });
    expect(v.body.job.status).toBe('pending');
    expect((await member.post('/api/v2/provisionerdaemons/jobs/acquire', { provisioner_types: ['terraform'] })).status).toBe(403);
    const imp = await templateAdmin.post('/api/v2/provisionerdaemons/jobs/acquire', { provisioner_types: ['terraform'] });
    expect(imp.status).toBe(200);
    expect(imp.body).toMatchObject({ job_id: v.body.job.id, type: 'template_version_import', template_version_id: v.body.id, file_id: file.body.hash });
    const done = await templateAdmin.post(`/api/v2/provisionerjobs/${imp.body.job_id}/complete`, { parameters: [{ name: 'zone', default_value: 'a' }] });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('succeeded');
    expect((await templateAdmin.post(`/api/v2/provisionerjobs/${imp.body.job_id}/complete`, {})).status).toBe(409);
    const t = await templateAdmin.post(`/api/v2/organizations/${h.orgId}/templates`, { name: 'terraformed', template_version_id: v.body.id });
    expect(t.status).toBe(201);
    expect(t.body.provisioner).toBe('terraform');

    const ws = await member.post(`/api/v2/organizations/${h.orgId}/members/me/workspaces`, { template_id: t.body.id, name: 'tf-ws' });
    expect(ws.status).toBe(201);
    expect(ws.body.latest_build.status).toBe('pending');
    const busy = await member.post(`/api/v2/workspaces/${ws.body.id}/builds`, { transition: 'stop' });
    expect(busy.status).toBe(409);
    expect(busy.body.message).toBe('A workspace build is already active.');
    const job = await templateAdmin.post('/api/v2/provisionerdaemons/jobs/acquire', { provisioner_types: ['terraform'] });
    expect(job.body).toMatchObject({ type: 'workspace_build', transition: 'start', workspace_name: 'tf-ws', previous_state: '', parameters: [{ name: 'zone', value: 'a' }] });
    const state = Buffer.from('{"version":4,"from":"terraform"}');
    const finished = await templateAdmin.post(`/api/v2/provisionerjobs/${job.body.job_id}/complete`, {
      state: state.toString('base64'),
      resources: [{ name: 'vm', type: 'docker_container', agents: [{ name: 'dev' }] }],
    });
    expect(finished.status).toBe(200);
    const got = await member.get(`/api/v2/workspaces/${ws.body.id}`);
    expect(got.body.latest_build).toMatchObject({ status: 'running', resources: [{ name: 'vm', agents: [{ name: 'dev' }] }] });
    expect((await templateAdmin.get(`/api/v2/workspacebuilds/${ws.body.latest_build.id}/state`)).text).toBe(state.toString());
    expect((await templateAdmin.post('/api/v2/provisionerdaemons/jobs/acquire', { provisioner_types: ['terraform'] })).status).toBe(204);
  });
});
