import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../errors.js';
import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import { agentRoute } from '../agents/routes.js';
import type { ControlPlaneContext } from '../deps.js';
import { resourceNotFound } from '../httpapi/errors.js';
import { sendNoContent } from '../httpapi/route.js';
import { isUuid } from '../ids.js';
import { resolveUser } from '../users/service.js';
import { getTaskByID, getTaskByOwnerIDAndName, getTaskSnapshot, getTaskStatus, upsertTaskSnapshot } from './queries.js';
import { checkSnapshotQuery, MaxSnapshotBytes, parseSnapshotBody, snapshotLogs, type SnapshotEnvelope } from './snapshot.js';

/** Reads up to `limit` bytes; a longer body is drained and answers null (Go's MaxBytesReader). */
async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size <= limit) chunks.push(c as Buffer);
  }
  return size > limit ? null : Buffer.concat(chunks);
}

export interface TaskRoutesOptions {
  now?: () => Date;
}

/**
 * Task log snapshots (reference §2.4): the agent posts the conversation at shutdown; the task
 * logs endpoint serves it while the task is paused, pending or initializing.
 */
export function registerTaskRoutes(router: Router, cp: ControlPlaneContext, opts: TaskRoutesOptions = {}): void {
  const now = opts.now ?? (() => new Date());
  const agentAuthed = agentRoute(cp);

  router.post(
    '/api/v2/workspaceagents/me/tasks/{task}/log-snapshot',
    agentAuthed(async (a, req, res, params, url) => {
      const taskId = params.task ?? '';
      if (!isUuid(taskId)) throw new HttpError(400, 'Invalid task ID format.');
      checkSnapshotQuery(url.searchParams);
      const task = await getTaskByID(cp.db, taskId);
      // Only the task of the agent's own workspace: anything else is "not found".
      if (!task || task.deleted_at || !task.workspace_id || task.workspace_id !== a.build.workspace_id) throw resourceNotFound();
      const payload = parseSnapshotBody(await readLimited(req, MaxSnapshotBytes));
      const envelope: SnapshotEnvelope = { format: 'agentapi', data: payload };
      await upsertTaskSnapshot(cp.db, task.id, envelope, now());
      sendNoContent(res);
    }),
  );

  router.get(
    '/api/v2/tasks/{user}/{task}/logs',
    cp.route.authed(async (ctx, _req, res, params) => {
      const owner = await resolveUser(ctx, params.user ?? '');
      const task = await getTaskByOwnerIDAndName(cp.db, owner.id, params.task ?? '');
      if (!task) throw resourceNotFound();
      // A task is visible to whoever may read its workspace (or its owner, before it has one).
      if (task.workspace_id ? !(await ctx.store.workspaces.getWorkspaceByID(task.workspace_id)) : task.owner_id !== ctx.userId) {
        throw resourceNotFound();
      }
      const status = await getTaskStatus(cp.db, task);
      if (status === 'error' || status === 'unknown') throw new HttpError(409, 'Cannot fetch logs for task in current state.', `Task status is "${status}".`);
      if (status === 'active') {
        throw new HttpError(409, 'Cannot fetch logs for task in current state.', 'Live logs from AgentAPI are not available in this control plane.');
      }
      const snap = await getTaskSnapshot(cp.db, task.id);
      if (!snap) return sendJson(res, 200, { count: 0, logs: [], snapshot: true });
      sendJson(res, 200, snapshotLogs(snap.log_snapshot as SnapshotEnvelope, snap.log_snapshot_created_at));
    }),
  );
}
