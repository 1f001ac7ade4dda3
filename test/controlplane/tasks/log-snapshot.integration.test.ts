import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTask, getTaskSnapshot, insertTask, type Task } from '../../../src/controlplane/tasks/queries.js';
import { engines } from '../../helpers/db.js';
import { build, Client, createTemplate, createWorkspace, startHarness, type Harness } from '../helpers.js';

const messages = [
  { id: 0, content: 'fix the flaky test', role: 'user', time: '2026-11-24T10:00:00Z' },
  { id: 1, content: 'Done: the race was in the watcher.', role: 'agent', time: '2026-11-24T10:01:00Z' },
];

describe.each(engines())('task log snapshots on $name', (engine) => {
  let h: Harness;
  let member: Client & { id: string; username: string };
  let templateId: string;
  let n = 0;

  const tokenOf = async (jobId: string) =>
    (
      await h.db.query<{ t: string }>(
        'TestAgentToken',
        'SELECT wa.auth_token AS t FROM workspace_agents wa JOIN workspace_resources r ON r.id = wa.resource_id WHERE r.job_id = $1',
        [jobId],
      )
    )[0].t;
  const snapshotRows = async (taskId: string) =>
    h.db.query<{ log_snapshot: unknown; log_snapshot_created_at: Date }>('TestSnapshots', 'SELECT * FROM task_snapshots WHERE task_id = $1', [taskId]);

  /** A workspace built by the echo provisioner, a task on it, and its agent's client. */
  const taskWorkspace = async (): Promise<{ ws: any; task: Task; agent: Client }> => {
    const ws = await createWorkspace(h, member, templateId);
    n += 1;
    const task = await insertTask(h.db, {
      organizationId: h.orgId,
      ownerId: member.id,
      name: `task-${n}`,
      workspaceId: ws.id,
      templateVersionId: ws.latest_build.template_version_id,
      prompt: 'fix the flaky test',
    });
    return { ws, task, agent: new Client(h.url, await tokenOf(ws.latest_build.job.id)) };
  };
  const snap = (agent: Client, taskId: string, body: unknown, query = '?format=agentapi') =>
    agent.post(`/api/v2/workspaceagents/me/tasks/${taskId}/log-snapshot${query}`, body);

  beforeAll(async () => {
    h = await startHarness(engine, { deps: { provisionerPollMs: 3_600_000 } });
    member = await h.user();
    ({ template: { id: templateId } } = await createTemplate(h, h.admin));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores the posted messages in the agentapi envelope and answers 204', async () => {
    const { task, agent } = await taskWorkspace();
    const r = await snap(agent, task.id, { messages });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    const rows = await snapshotRows(task.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].log_snapshot).toEqual({ format: 'agentapi', data: { messages } });
  });

  it('replaces the snapshot and its time on a second post, keeping one row', async () => {
    const { task, agent } = await taskWorkspace();
    expect((await snap(agent, task.id, { messages })).status).toBe(204);
    await h.db.query('TestBackdate', `UPDATE task_snapshots SET log_snapshot_created_at = '2000-01-01T00:00:00Z' WHERE task_id = $1`, [task.id]);
    expect((await snap(agent, task.id, { messages: [] })).status).toBe(204);
    const rows = await snapshotRows(task.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].log_snapshot).toEqual({ format: 'agentapi', data: { messages: [] } });
    expect(rows[0].log_snapshot_created_at.getUTCFullYear()).toBeGreaterThan(2000);
  });

  it('rejects bad task ids, query parameters and bodies with 400 in the documented order', async () => {
    const { task, agent } = await taskWorkspace();
    const cases: [string, string, unknown, string][] = [
      ['not-a-uuid', '?format=other', { messages }, 'Invalid task ID format.'],
      [task.id, '', { messages }, 'Invalid query parameters.'],
      [task.id, '?format=agentapi&extra=1', { messages }, 'Invalid query parameters.'],
      [task.id, '?format=other', { messages }, 'Invalid format parameter.'],
      [randomUUID(), '?format=other', { messages }, 'Invalid format parameter.'],
      [task.id, '?format=agentapi', {}, 'Missing required "messages" field.'],
      [task.id, '?format=agentapi', { messages: [{ id: 'x' }] }, 'Failed to decode request body.'],
    ];
    for (const [id, query, body, message] of cases) {
      const r = await snap(agent, id, body, query);
      expect({ id, query, status: r.status, message: r.body.message }).toEqual({ id, query, status: 400, message });
    }
    const big = { messages: [{ id: 0, content: 'x'.repeat(65_536), role: 'agent', time: '2026-11-24T10:00:00Z' }] };
    const tooBig = await snap(agent, task.id, big);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ message: 'Failed to decode request body.', detail: 'http: request body too large' });
    const notJson = await agent.post(`/api/v2/workspaceagents/me/tasks/${task.id}/log-snapshot?format=agentapi`, Buffer.from('{nope'));
    expect(notJson.status).toBe(400);
    expect(await snapshotRows(task.id)).toEqual([]);
  });

  it('answers 404 for a task of another workspace, a deleted task, a task without a workspace and an unknown id', async () => {
    const mine = await taskWorkspace();
    const other = await taskWorkspace();
    const expect404 = async (id: string) => {
      const r = await snap(mine.agent, id, { messages });
      expect(r.status).toBe(404);
    };
    await expect404(other.task.id);
    await expect404(randomUUID());
    const unbound = await insertTask(h.db, {
      organizationId: h.orgId,
      ownerId: member.id,
      name: `unbound-${++n}`,
      workspaceId: null,
      templateVersionId: mine.ws.latest_build.template_version_id,
      prompt: 'p',
    });
    await expect404(unbound.id);
    expect(await deleteTask(h.db, mine.task.id, new Date())).toMatchObject({ id: mine.task.id });
    await expect404(mine.task.id);
    expect(await snapshotRows(other.task.id)).toEqual([]);
  });

  it('deleting a task deletes its snapshot, and a second delete changes nothing', async () => {
    const { task, agent } = await taskWorkspace();
    expect((await snap(agent, task.id, { messages })).status).toBe(204);
    expect(await getTaskSnapshot(h.db, task.id)).toBeDefined();
    const deleted = await deleteTask(h.db, task.id, new Date('2026-11-24T12:00:00Z'));
    expect(deleted?.deleted_at?.toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(await snapshotRows(task.id)).toEqual([]);
    expect(await deleteTask(h.db, task.id, new Date())).toBeUndefined();
  });

  it('serves the logs of a paused task from the snapshot the agent posted during shutdown, and 409 in error state', async () => {
    const { ws, task, agent } = await taskWorkspace();
    const logs = () => member.get(`/api/v2/tasks/${member.username}/${task.name}/logs`);
    const stop = await build(h, member, ws.id, { transition: 'stop' });
    expect(stop.status).toBe(201);
    expect((await logs()).body).toEqual({ count: 0, logs: [], snapshot: true });

    // The agent posts while the stop is still running (it authenticates as the start build).
    await h.db.query('TestRunning', 'UPDATE provisioner_jobs SET completed_at = NULL WHERE id = $1', [stop.body.job.id]);
    expect((await snap(agent, task.id, { messages })).status).toBe(204);
    await h.db.query('TestDone', 'UPDATE provisioner_jobs SET completed_at = now() WHERE id = $1', [stop.body.job.id]);

    const paused = await logs();
    expect(paused.status).toBe(200);
    const at = (await snapshotRows(task.id))[0].log_snapshot_created_at;
    expect(paused.body).toEqual({
      count: 2,
      logs: [
        { id: 0, content: 'fix the flaky test', type: 'input', time: '2026-11-24T10:00:00Z' },
        { id: 1, content: 'Done: the race was in the watcher.', type: 'output', time: '2026-11-24T10:01:00Z' },
      ],
      snapshot: true,
      snapshot_at: at.toISOString(),
    });
    expect((await member.get(`/api/v2/tasks/me/${task.id}/logs`)).body.count).toBe(2);
    const stranger = await h.user();
    expect((await stranger.get(`/api/v2/tasks/${member.username}/${task.name}/logs`)).status).toBe(404);

    await h.db.query('TestFailed', `UPDATE provisioner_jobs SET error = 'boom' WHERE id = $1`, [stop.body.job.id]);
    const failed = await logs();
    expect(failed.status).toBe(409);
    expect(failed.body.message).toBe('Cannot fetch logs for task in current state.');
  });
});
