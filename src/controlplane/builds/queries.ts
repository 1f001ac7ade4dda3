import type { Queryable } from '../../db/index.js';
import { isUuid } from '../ids.js';
import type { BuildParameter, BuildReason, Transition, WorkspaceBuild, WorkspaceBuildProvisionerState } from './types.js';

// Every read goes through the view, which has no provisioner_state column.
const VIEW = 'workspace_build_with_user';

export async function getWorkspaceBuildByID(q: Queryable, id: string): Promise<WorkspaceBuild | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<WorkspaceBuild>('GetWorkspaceBuildByID', `SELECT * FROM ${VIEW} WHERE id = $1`, [id]);
  return rows[0];
}

export async function getWorkspaceBuildByJobID(q: Queryable, jobId: string): Promise<WorkspaceBuild | undefined> {
  const rows = await q.query<WorkspaceBuild>('GetWorkspaceBuildByJobID', `SELECT * FROM ${VIEW} WHERE job_id = $1`, [jobId]);
  return rows[0];
}

export async function getLatestWorkspaceBuildByWorkspaceID(q: Queryable, workspaceId: string): Promise<WorkspaceBuild | undefined> {
  const rows = await q.query<WorkspaceBuild>(
    'GetLatestWorkspaceBuildByWorkspaceID',
    `SELECT * FROM ${VIEW} WHERE workspace_id = $1 ORDER BY build_number DESC LIMIT 1`,
    [workspaceId],
  );
  return rows[0];
}

export async function getLatestWorkspaceBuildsByWorkspaceIDs(q: Queryable, ids: string[]): Promise<WorkspaceBuild[]> {
  if (!ids.length) return [];
  return q.query<WorkspaceBuild>(
    'GetLatestWorkspaceBuildsByWorkspaceIDs',
    `SELECT DISTINCT ON (workspace_id) * FROM ${VIEW} WHERE workspace_id = ANY($1::uuid[]) ORDER BY workspace_id, build_number DESC`,
    [ids],
  );
}

export async function getWorkspaceBuildsByWorkspaceID(q: Queryable, workspaceId: string): Promise<WorkspaceBuild[]> {
  return q.query<WorkspaceBuild>(
    'GetWorkspaceBuildsByWorkspaceID',
    `SELECT * FROM ${VIEW} WHERE workspace_id = $1 ORDER BY build_number DESC`,
    [workspaceId],
  );
}

export async function getWorkspaceBuildByWorkspaceIDAndBuildNumber(q: Queryable, workspaceId: string, n: number): Promise<WorkspaceBuild | undefined> {
  const rows = await q.query<WorkspaceBuild>(
    'GetWorkspaceBuildByWorkspaceIDAndBuildNumber',
    `SELECT * FROM ${VIEW} WHERE workspace_id = $1 AND build_number = $2`,
    [workspaceId, n],
  );
  return rows[0];
}

export interface InsertWorkspaceBuildParams {
  id: string;
  workspaceId: string;
  templateVersionId: string;
  buildNumber: number;
  transition: Transition;
  initiatorId: string;
  jobId: string;
  provisionerState: Buffer | null;
  reason: BuildReason;
}

export async function insertWorkspaceBuild(q: Queryable, b: InsertWorkspaceBuildParams): Promise<void> {
  await q.query(
    'InsertWorkspaceBuild',
    `INSERT INTO workspace_builds (id, created_at, updated_at, workspace_id, template_version_id, build_number, transition,
       initiator_id, job_id, provisioner_state, reason)
     VALUES ($1, now(), now(), $2, $3, $4, $5, $6, $7, $8, $9)`,
    [b.id, b.workspaceId, b.templateVersionId, b.buildNumber, b.transition, b.initiatorId, b.jobId, b.provisionerState, b.reason],
  );
}

/**
 * The one query that returns provisioner_state. It is joined through the workspace to the
 * template so that authorization can demand template:update (coder/coder PR #22159).
 */
export async function getWorkspaceBuildProvisionerStateByID(q: Queryable, id: string): Promise<WorkspaceBuildProvisionerState | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<WorkspaceBuildProvisionerState>(
    'GetWorkspaceBuildProvisionerStateByID',
    `SELECT workspace_builds.provisioner_state, templates.id AS template_id,
            templates.organization_id AS template_organization_id, templates.user_acl, templates.group_acl
       FROM workspace_builds
       INNER JOIN workspaces ON workspaces.id = workspace_builds.workspace_id
       INNER JOIN templates ON templates.id = workspaces.template_id
      WHERE workspace_builds.id = $1`,
    [id],
  );
  return rows[0];
}

export async function updateWorkspaceBuildProvisionerStateByID(q: Queryable, id: string, state: Buffer | null, at: Date): Promise<void> {
  await q.query(
    'UpdateWorkspaceBuildProvisionerStateByID',
    'UPDATE workspace_builds SET provisioner_state = $2::bytea, updated_at = $3 WHERE id = $1',
    [id, state, at],
  );
}

export async function updateWorkspaceBuildDeadlineByID(q: Queryable, id: string, deadline: Date, maxDeadline: Date): Promise<void> {
  await q.query(
    'UpdateWorkspaceBuildDeadlineByID',
    'UPDATE workspace_builds SET deadline = $2, max_deadline = $3, updated_at = now() WHERE id = $1',
    [id, deadline, maxDeadline],
  );
}

export async function insertWorkspaceBuildParameters(q: Queryable, buildId: string, params: BuildParameter[]): Promise<void> {
  if (!params.length) return;
  await q.query(
    'InsertWorkspaceBuildParameters',
    `INSERT INTO workspace_build_parameters (workspace_build_id, name, value)
     SELECT $1, unnest($2::text[]), unnest($3::text[])`,
    [buildId, params.map((p) => p.name), params.map((p) => p.value)],
  );
}

export async function getWorkspaceBuildParameters(q: Queryable, buildId: string): Promise<BuildParameter[]> {
  return q.query<BuildParameter>(
    'GetWorkspaceBuildParameters',
    'SELECT name, value FROM workspace_build_parameters WHERE workspace_build_id = $1 ORDER BY name',
    [buildId],
  );
}
