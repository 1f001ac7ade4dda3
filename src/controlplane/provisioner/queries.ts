import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { isUuid } from '../ids.js';
import type { JobType, ProvisionerJob, WorkspaceAgent, WorkspaceResource } from './types.js';

const JOB = `id, created_at, updated_at, started_at, canceled_at, completed_at, error, organization_id, initiator_id,
  provisioner, storage_method, type, input, worker_id, file_id, tags, error_code, job_status, logs_length, logs_overflowed`;

export async function insertProvisionerJob(
  q: Queryable,
  j: { id?: string; orgId: string; initiatorId: string; provisioner: string; type: JobType; input: object; fileId: string },
): Promise<ProvisionerJob> {
  const rows = await q.query<ProvisionerJob>(
    'InsertProvisionerJob',
    `INSERT INTO provisioner_jobs (id, created_at, updated_at, organization_id, initiator_id, provisioner, storage_method, type, input, file_id)
     VALUES ($1, clock_timestamp(), clock_timestamp(), $2, $3, $4, 'file', $5, $6::jsonb, $7) RETURNING ${JOB}`,
    [j.id ?? randomUUID(), j.orgId, j.initiatorId, j.provisioner, j.type, JSON.stringify(j.input), j.fileId],
  );
  return rows[0];
}

export async function getProvisionerJobByID(q: Queryable, id: string): Promise<ProvisionerJob | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<ProvisionerJob>('GetProvisionerJobByID', `SELECT ${JOB} FROM provisioner_jobs WHERE id = $1`, [id]);
  return rows[0];
}

export async function getProvisionerJobsByIDs(q: Queryable, ids: string[]): Promise<ProvisionerJob[]> {
  if (!ids.length) return [];
  return q.query<ProvisionerJob>('GetProvisionerJobsByIDs', `SELECT ${JOB} FROM provisioner_jobs WHERE id = ANY($1::uuid[])`, [ids]);
}

/** Pending jobs ahead of each of these (1-based queue position; 0 when not pending). */
export async function getQueuePositions(q: Queryable, ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!ids.length) return out;
  const rows = await q.query<{ id: string; pos: number }>(
    'GetProvisionerJobsByIDsWithQueuePosition',
    `SELECT j.id::text AS id,
            (SELECT count(*)::int8 FROM provisioner_jobs p WHERE p.job_status = 'pending' AND p.created_at <= j.created_at
               AND p.provisioner = j.provisioner) AS pos
       FROM provisioner_jobs j WHERE j.id = ANY($1::uuid[]) AND j.job_status = 'pending'`,
    [ids],
  );
  for (const r of rows) out.set(r.id, r.pos);
  return out;
}

/**
 * Claims the oldest pending job of these provisioner types in these organizations; concurrent
 * acquirers (other replicas) skip rows already being claimed.
 */
export async function acquireProvisionerJob(q: Queryable, workerId: string, types: string[], orgIds: string[] | 'all'): Promise<ProvisionerJob | undefined> {
  const rows = await q.query<ProvisionerJob>(
    'AcquireProvisionerJob',
    `UPDATE provisioner_jobs SET started_at = clock_timestamp(), updated_at = clock_timestamp(), worker_id = $1
      WHERE id = (
        SELECT id FROM provisioner_jobs
         WHERE started_at IS NULL AND canceled_at IS NULL AND completed_at IS NULL
           AND provisioner::text = ANY($2::text[])
           AND ($3::boolean OR organization_id = ANY($4::uuid[]))
         ORDER BY created_at, id
         FOR UPDATE SKIP LOCKED LIMIT 1)
      RETURNING ${JOB}`,
    [workerId, types, orgIds === 'all', orgIds === 'all' ? [] : orgIds],
  );
  return rows[0];
}

export async function updateProvisionerJobWithCompleteByID(q: Queryable, id: string, error: string | null, errorCode: string | null): Promise<ProvisionerJob> {
  const rows = await q.query<ProvisionerJob>(
    'UpdateProvisionerJobWithCompleteByID',
    `UPDATE provisioner_jobs SET completed_at = clock_timestamp(), updated_at = clock_timestamp(), error = $2, error_code = $3
      WHERE id = $1 RETURNING ${JOB}`,
    [id, error, errorCode],
  );
  return rows[0];
}

export async function updateProvisionerJobWithCancelByID(q: Queryable, id: string): Promise<ProvisionerJob> {
  const rows = await q.query<ProvisionerJob>(
    'UpdateProvisionerJobWithCancelByID',
    `UPDATE provisioner_jobs SET canceled_at = clock_timestamp(), updated_at = clock_timestamp(),
            completed_at = CASE WHEN started_at IS NULL THEN clock_timestamp() ELSE completed_at END
      WHERE id = $1 RETURNING ${JOB}`,
    [id],
  );
  return rows[0];
}

export async function insertWorkspaceResource(
  q: Queryable,
  r: { jobId: string; transition: string; type: string; name: string; hide: boolean; icon: string; dailyCost: number },
): Promise<WorkspaceResource> {
  const rows = await q.query<WorkspaceResource>(
    'InsertWorkspaceResource',
    `INSERT INTO workspace_resources (id, created_at, job_id, transition, type, name, hide, icon, daily_cost)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8)
     RETURNING id, created_at, job_id, transition, type, name, hide, icon, daily_cost`,
    [randomUUID(), r.jobId, r.transition, r.type, r.name, r.hide, r.icon, r.dailyCost],
  );
  return rows[0];
}

export async function insertWorkspaceAgent(
  q: Queryable,
  a: { resourceId: string; name: string; authToken: string; architecture: string; operatingSystem: string },
): Promise<WorkspaceAgent> {
  const rows = await q.query<WorkspaceAgent>(
    'InsertWorkspaceAgent',
    `INSERT INTO workspace_agents (id, created_at, updated_at, name, resource_id, auth_token, architecture, operating_system)
     VALUES ($1, now(), now(), $2, $3, $4, $5, $6)
     RETURNING id, created_at, updated_at, name, resource_id, auth_token, architecture, operating_system, lifecycle_state, api_key_scope`,
    [randomUUID(), a.name, a.resourceId, a.authToken, a.architecture, a.operatingSystem],
  );
  return rows[0];
}

export async function getWorkspaceResourcesByJobIDs(q: Queryable, jobIds: string[]): Promise<WorkspaceResource[]> {
  if (!jobIds.length) return [];
  return q.query<WorkspaceResource>(
    'GetWorkspaceResourcesByJobIDs',
    `SELECT id, created_at, job_id, transition, type, name, hide, icon, daily_cost FROM workspace_resources
      WHERE job_id = ANY($1::uuid[]) ORDER BY created_at, name`,
    [jobIds],
  );
}

export async function getWorkspaceAgentsByResourceIDs(q: Queryable, resourceIds: string[]): Promise<WorkspaceAgent[]> {
  if (!resourceIds.length) return [];
  return q.query<WorkspaceAgent>(
    'GetWorkspaceAgentsByResourceIDs',
    `SELECT id, created_at, updated_at, name, resource_id, auth_token, architecture, operating_system, lifecycle_state, api_key_scope
       FROM workspace_agents WHERE resource_id = ANY($1::uuid[]) AND deleted = false ORDER BY created_at, name`,
    [resourceIds],
  );
}

/** What each job is for (a workspace build or a template version): its authorization comes from there. */
export interface JobAuthInfo {
  id: string;
  organization_id: string;
  workspace_id: string | null;
  owner_id: string | null;
  workspace_org_id: string | null;
  workspace_user_acl: Record<string, { permissions: string[] }> | null;
  workspace_group_acl: Record<string, { permissions: string[] }> | null;
  dormant_at: Date | null;
  template_id: string | null;
  template_org_id: string | null;
  template_user_acl: Record<string, string[]> | null;
  template_group_acl: Record<string, string[]> | null;
}

export async function getProvisionerJobAuthInfo(q: Queryable, ids: string[]): Promise<JobAuthInfo[]> {
  if (!ids.length) return [];
  return q.query<JobAuthInfo>(
    'GetProvisionerJobsByIDs',
    `SELECT pj.id::text AS id, pj.organization_id, w.id AS workspace_id, w.owner_id, w.organization_id AS workspace_org_id,
            w.user_acl AS workspace_user_acl, w.group_acl AS workspace_group_acl, w.dormant_at,
            t.id AS template_id, t.organization_id AS template_org_id, t.user_acl AS template_user_acl, t.group_acl AS template_group_acl
       FROM provisioner_jobs pj
       LEFT JOIN workspace_builds wb ON wb.job_id = pj.id
       LEFT JOIN workspaces w ON w.id = wb.workspace_id
       LEFT JOIN template_versions tv ON tv.job_id = pj.id
       LEFT JOIN templates t ON t.id = tv.template_id
      WHERE pj.id = ANY($1::uuid[])`,
    [ids],
  );
}
