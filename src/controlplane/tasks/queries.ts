import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { isUuid } from '../ids.js';

export interface Task {
  id: string;
  organization_id: string;
  owner_id: string;
  name: string;
  workspace_id: string | null;
  template_version_id: string;
  template_parameters: Record<string, unknown>;
  prompt: string;
  created_at: Date;
  deleted_at: Date | null;
  display_name: string;
}

export interface TaskSnapshot {
  task_id: string;
  log_snapshot: unknown;
  log_snapshot_created_at: Date;
}

export interface NewTask {
  organizationId: string;
  ownerId: string;
  name: string;
  workspaceId: string | null;
  templateVersionId: string;
  prompt: string;
  displayName?: string;
}

export async function insertTask(q: Queryable, t: NewTask, now = new Date()): Promise<Task> {
  const rows = await q.query<Task>(
    'InsertTask',
    `INSERT INTO tasks (id, organization_id, owner_id, name, workspace_id, template_version_id, prompt, created_at, display_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [randomUUID(), t.organizationId, t.ownerId, t.name, t.workspaceId, t.templateVersionId, t.prompt, now, t.displayName ?? ''],
  );
  return rows[0];
}

/** GetTaskByID, including soft-deleted rows (callers answer 404 for those). */
export async function getTaskByID(q: Queryable, id: string): Promise<Task | undefined> {
  if (!isUuid(id)) return undefined;
  return (await q.query<Task>('GetTaskByID', 'SELECT * FROM tasks WHERE id = $1', [id]))[0];
}

/** The live task of an owner by name (case-insensitive) or id. */
export async function getTaskByOwnerIDAndName(q: Queryable, ownerId: string, nameOrId: string): Promise<Task | undefined> {
  const rows = await q.query<Task>(
    'GetTaskByOwnerIDAndName',
    `SELECT * FROM tasks WHERE owner_id = $1 AND deleted_at IS NULL AND (lower(name) = lower($2) OR id::text = $2)`,
    [ownerId, nameOrId],
  );
  return rows[0];
}

export async function upsertTaskSnapshot(q: Queryable, taskId: string, logSnapshot: unknown, at: Date): Promise<void> {
  await q.query(
    'UpsertTaskSnapshot',
    `INSERT INTO task_snapshots (task_id, log_snapshot, log_snapshot_created_at) VALUES ($1, $2, $3)
     ON CONFLICT (task_id) DO UPDATE SET log_snapshot = EXCLUDED.log_snapshot, log_snapshot_created_at = EXCLUDED.log_snapshot_created_at`,
    [taskId, JSON.stringify(logSnapshot), at],
  );
}

export async function getTaskSnapshot(q: Queryable, taskId: string): Promise<TaskSnapshot | undefined> {
  return (await q.query<TaskSnapshot>('GetTaskSnapshot', 'SELECT * FROM task_snapshots WHERE task_id = $1', [taskId]))[0];
}

/** DeleteTask: soft-deletes the task and, in the same statement, removes its snapshot. */
export async function deleteTask(q: Queryable, id: string, deletedAt: Date): Promise<Task | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<Task>(
    'DeleteTask',
    `WITH deleted_task AS (
       UPDATE tasks SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING *
     ), deleted_snapshot AS (
       DELETE FROM task_snapshots USING deleted_task WHERE task_snapshots.task_id = deleted_task.id
     )
     SELECT * FROM deleted_task`,
    [id, deletedAt],
  );
  return rows[0];
}

export type TaskStatus = 'pending' | 'initializing' | 'active' | 'paused' | 'unknown' | 'error';

/**
 * A simplified tasks_with_status (reference §1.5): without task_workspace_apps rows it reads the
 * workspace's latest build and the first agent of that build; app health is not consulted.
 */
export async function getTaskStatus(q: Queryable, task: Task): Promise<TaskStatus> {
  if (!task.workspace_id) return 'pending';
  const rows = await q.query<{ transition: string | null; job_status: string | null; lifecycle_state: string | null }>(
    'GetTaskStatus',
    `SELECT b.transition, j.job_status,
            (SELECT wa.lifecycle_state FROM workspace_resources r JOIN workspace_agents wa ON wa.resource_id = r.id
              WHERE r.job_id = b.job_id AND wa.parent_id IS NULL ORDER BY wa.created_at LIMIT 1) AS lifecycle_state
       FROM workspace_builds b LEFT JOIN provisioner_jobs j ON j.id = b.job_id
      WHERE b.workspace_id = $1 ORDER BY b.build_number DESC LIMIT 1`,
    [task.workspace_id],
  );
  return taskStatusOf(rows[0]);
}

/** The status rules of tasks_with_status: build status first, then agent lifecycle. */
export function taskStatusOf(r: { transition: string | null; job_status: string | null; lifecycle_state: string | null } | undefined): TaskStatus {
  if (!r || !r.job_status) return 'pending';
  const { transition, job_status: js } = r;
  let build: TaskStatus = 'unknown';
  if (js === 'failed' || js === 'canceling' || js === 'canceled') build = 'error';
  else if ((transition === 'stop' || transition === 'delete') && js === 'succeeded') build = 'paused';
  else if (transition === 'start' && js === 'pending') build = 'pending';
  else if (transition === 'start' && (js === 'running' || js === 'succeeded')) build = 'active';
  if (build !== 'active') return build;
  const ls = r.lifecycle_state;
  if (ls === null || ls === 'created' || ls === 'starting') return 'initializing';
  if (ls === 'ready' || ls === 'start_timeout' || ls === 'start_error') return 'active';
  return 'unknown';
}
