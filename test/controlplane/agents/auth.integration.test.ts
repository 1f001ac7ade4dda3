import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentNotAuthorizedDetail } from '../../../src/controlplane/agents/auth.js';
import { engines } from '../../helpers/db.js';
import { build, Client, createTemplate, createWorkspace, startHarness, type Harness } from '../helpers.js';

describe.each(engines())('agent authentication during shutdown on $name', (engine) => {
  let h: Harness;
  let member: Client & { id: string };
  let templateId: string;

  const manifest = (token?: string) => new Client(h.url, token).get('/api/v2/workspaceagents/me/manifest');
  /** The auth token of the (top-level) agent a build's job created. */
  const tokenOf = async (jobId: string) =>
    (
      await h.db.query<{ t: string }>(
        'TestAgentToken',
        'SELECT wa.auth_token AS t FROM workspace_agents wa JOIN workspace_resources r ON r.id = wa.resource_id WHERE r.job_id = $1 AND wa.parent_id IS NULL',
        [jobId],
      )
    )[0].t;
  /** Puts a completed job into another state by its timestamps (job_status is generated from them). */
  const setJob = async (jobId: string, state: 'pending' | 'running' | 'succeeded' | 'failed' | 'canceling' | 'canceled') => {
    const sets: Record<typeof state, string> = {
      pending: 'started_at = NULL, completed_at = NULL, canceled_at = NULL, error = NULL',
      running: 'started_at = now(), completed_at = NULL, canceled_at = NULL, error = NULL',
      succeeded: 'started_at = now(), completed_at = now(), canceled_at = NULL, error = NULL',
      failed: "started_at = now(), completed_at = now(), canceled_at = NULL, error = 'boom'",
      canceling: 'started_at = now(), completed_at = NULL, canceled_at = now(), error = NULL',
      canceled: 'started_at = now(), completed_at = now(), canceled_at = now(), error = NULL',
    };
    await h.db.query('TestSetJob', `UPDATE provisioner_jobs SET ${sets[state]} WHERE id = $1`, [jobId]);
    const [row] = await h.db.query<{ s: string }>('TestJobStatus', 'SELECT job_status AS s FROM provisioner_jobs WHERE id = $1', [jobId]);
    expect(row.s).toBe(state);
  };
  const expectNotAuthorized = async (token: string) => {
    const r = await manifest(token);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: 'Workspace agent not authorized.', detail: AgentNotAuthorizedDetail });
  };

  beforeAll(async () => {
    // No background polling: a job this test puts back to "pending" stays pending.
    h = await startHarness(engine, { deps: { provisionerPollMs: 3_600_000 } });
    member = await h.user();
    ({ template: { id: templateId } } = await createTemplate(h, h.admin));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 401 without a token and for a token that is not a UUID', async () => {
    const none = await manifest();
    expect(none.status).toBe(401);
    expect(none.body.message).toBe('Cookie "coder_session_token" must be provided.');
    const bad = await manifest('not-a-uuid');
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe('Workspace agent token invalid.');
    await expectNotAuthorized(randomUUID());
  });

  it('authenticates the agent of the latest start build, and not the agent of an older start build', async () => {
    const ws = await createWorkspace(h, member, templateId);
    const t1 = await tokenOf(ws.latest_build.job.id);
    const ok = await manifest(t1);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ workspace_id: ws.id, workspace_build_id: ws.latest_build.id, workspace_build_number: 1, agent_name: 'main' });
    expect(JSON.stringify(ok.body)).not.toContain(t1);
    expect((await build(h, member, ws.id, { transition: 'stop' })).status).toBe(201);
    const start = await build(h, member, ws.id, { transition: 'start' });
    const t3 = await tokenOf(start.body.job.id);
    expect((await manifest(t3)).body).toMatchObject({ workspace_build_number: 3 });
    await expectNotAuthorized(t1);
  });

  it('keeps authenticating the start build n while stop build n+1 is pending or running, returning build n, and stops once the stop job ends', async () => {
    const ws = await createWorkspace(h, member, templateId);
    const t1 = await tokenOf(ws.latest_build.job.id);
    const stop = await build(h, member, ws.id, { transition: 'stop' });
    expect(stop.status).toBe(201);
    for (const state of ['pending', 'running'] as const) {
      await setJob(stop.body.job.id, state);
      const r = await manifest(t1);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ workspace_build_id: ws.latest_build.id, workspace_build_number: 1 });
    }
    for (const state of ['succeeded', 'failed', 'canceling', 'canceled'] as const) {
      await setJob(stop.body.job.id, state);
      await expectNotAuthorized(t1);
    }
  });

  it('does not authenticate build n when the latest build is a delete, when build n failed, or when the stop is build n+2', async () => {
    // Latest build is a pending delete.
    const a = await createWorkspace(h, member, templateId);
    const ta = await tokenOf(a.latest_build.job.id);
    const del = await build(h, member, a.id, { transition: 'delete' });
    expect(del.status).toBe(201);
    await setJob(del.body.job.id, 'running');
    await expectNotAuthorized(ta);

    // Build n's job failed while the stop n+1 is running.
    const b = await createWorkspace(h, member, templateId);
    const tb = await tokenOf(b.latest_build.job.id);
    const stopB = await build(h, member, b.id, { transition: 'stop' });
    await setJob(stopB.body.job.id, 'running');
    expect((await manifest(tb)).status).toBe(200);
    await setJob(b.latest_build.job.id, 'failed');
    await expectNotAuthorized(tb);

    // The running stop is build n+2: only build n+1's agent authenticates.
    const c = await createWorkspace(h, member, templateId);
    const tc1 = await tokenOf(c.latest_build.job.id);
    const start2 = await build(h, member, c.id, { transition: 'start' });
    const tc2 = await tokenOf(start2.body.job.id);
    const stopC = await build(h, member, c.id, { transition: 'stop' });
    expect(stopC.body.build_number).toBe(3);
    await setJob(stopC.body.job.id, 'running');
    await expectNotAuthorized(tc1);
    expect((await manifest(tc2)).body).toMatchObject({ workspace_build_number: 2 });
  });

  it('does not authenticate agents of a deleted workspace or deleted sub-agents', async () => {
    const ws = await createWorkspace(h, member, templateId);
    const token = await tokenOf(ws.latest_build.job.id);
    const [parent] = await h.db.query<{ id: string; resource_id: string }>('TestAgent', 'SELECT id, resource_id FROM workspace_agents WHERE auth_token = $1', [token]);
    const sub = async (deleted: boolean) => {
      const t = randomUUID();
      await h.db.query(
        'TestInsertSubAgent',
        `INSERT INTO workspace_agents (id, created_at, updated_at, name, resource_id, auth_token, architecture, operating_system, parent_id, deleted)
         VALUES ($1, now(), now(), $2, $3, $4, 'amd64', 'linux', $5, $6)`,
        [randomUUID(), deleted ? 'gone' : 'live', parent.resource_id, t, parent.id, deleted],
      );
      return t;
    };
    const live = await sub(false);
    const gone = await sub(true);
    expect((await manifest(live)).body).toMatchObject({ agent_name: 'live', workspace_id: ws.id });
    await expectNotAuthorized(gone);

    expect((await manifest(token)).status).toBe(200);
    await h.db.query('TestDeleteWorkspace', 'UPDATE workspaces SET deleted = TRUE WHERE id = $1', [ws.id]);
    await expectNotAuthorized(token);
    await expectNotAuthorized(live);
  });
});
