import * as q from '../provisioner/queries.js';
import type { JobType, ProvisionerJob, WorkspaceAgent, WorkspaceResource } from '../provisioner/types.js';
import { provisionerJobObject, templateObject, type RbacObject } from '../rbac/index.js';
import type { Store } from './store.js';

export class JobsAuthz {
  constructor(private readonly s: Store) {}

  /**
   * A job is readable by whoever may read what it is for: the workspace of its build, or the
   * template of its version; or by provisioner-job readers of its organization.
   */
  private async authorizeRead(ids: string[]): Promise<Set<string>> {
    const allowed = new Set<string>();
    for (const info of await q.getProvisionerJobAuthInfo(this.s.q, ids)) {
      const objs: RbacObject[] = [provisionerJobObject(info.id, info.organization_id)];
      if (info.workspace_id) {
        objs.push(
          this.s.workspaceObject({
            id: info.workspace_id,
            owner_id: info.owner_id!,
            organization_id: info.workspace_org_id!,
            user_acl: info.workspace_user_acl ?? {},
            group_acl: info.workspace_group_acl ?? {},
            dormant_at: info.dormant_at,
          }),
        );
      } else if (info.template_id) {
        objs.push(templateObject({ id: info.template_id, organization_id: info.template_org_id!, user_acl: info.template_user_acl ?? {}, group_acl: info.template_group_acl ?? {} }));
      } else {
        objs.push(templateObject({ organization_id: info.organization_id }));
      }
      if (objs.some((o) => this.s.can('read', o))) allowed.add(info.id);
    }
    return allowed;
  }

  async getProvisionerJobByID(id: string): Promise<ProvisionerJob | undefined> {
    const job = await q.getProvisionerJobByID(this.s.q, id);
    if (!job) return undefined;
    if (!(await this.authorizeRead([id])).has(id)) this.s.authorize('read', provisionerJobObject(id, job.organization_id));
    return job;
  }

  /** Jobs the subject may read, by id (others are left out). */
  async getProvisionerJobsByIDs(ids: string[]): Promise<Map<string, ProvisionerJob & { queue_position: number }>> {
    const allowed = await this.authorizeRead(ids);
    const jobs = await q.getProvisionerJobsByIDs(this.s.q, [...allowed]);
    const positions = await q.getQueuePositions(this.s.q, jobs.filter((j) => j.job_status === 'pending').map((j) => j.id));
    return new Map(jobs.map((j) => [j.id, { ...j, queue_position: positions.get(j.id) ?? 0 }]));
  }

  /**
   * Inserts a job on behalf of what it is for: the caller passes the action and object that
   * justify it (a workspace transition, or template create/update), checked here.
   */
  async insertProvisionerJob(
    j: { id?: string; orgId: string; initiatorId: string; provisioner: string; type: JobType; input: object; fileId: string },
    justifiedBy: { action: string; object: RbacObject },
  ): Promise<ProvisionerJob> {
    this.s.authorize(justifiedBy.action, justifiedBy.object);
    return q.insertProvisionerJob(this.s.q, j);
  }

  /** Claims a pending job in the given organizations ('all' needs site-wide rights). */
  async acquireProvisionerJob(workerId: string, types: string[], orgIds: string[] | 'all'): Promise<ProvisionerJob | undefined> {
    if (orgIds === 'all') this.s.authorize('update', { type: 'provisioner_jobs' });
    else for (const o of orgIds) this.s.authorize('update', provisionerJobObject(undefined, o));
    return q.acquireProvisionerJob(this.s.q, workerId, types, orgIds);
  }

  async updateProvisionerJobWithCompleteByID(job: ProvisionerJob, error: string | null, errorCode: string | null): Promise<ProvisionerJob> {
    this.s.authorize('update', provisionerJobObject(job.id, job.organization_id));
    return q.updateProvisionerJobWithCompleteByID(this.s.q, job.id, error, errorCode);
  }

  async updateProvisionerJobWithCancelByID(job: ProvisionerJob, justifiedBy: { action: string; object: RbacObject }): Promise<ProvisionerJob> {
    this.s.authorize(justifiedBy.action, justifiedBy.object);
    return q.updateProvisionerJobWithCancelByID(this.s.q, job.id);
  }

  async insertWorkspaceResource(job: ProvisionerJob, r: Omit<Parameters<typeof q.insertWorkspaceResource>[1], 'jobId'>): Promise<WorkspaceResource> {
    this.s.authorize('update', provisionerJobObject(job.id, job.organization_id));
    return q.insertWorkspaceResource(this.s.q, { ...r, jobId: job.id });
  }

  async insertWorkspaceAgent(job: ProvisionerJob, a: Parameters<typeof q.insertWorkspaceAgent>[1]): Promise<WorkspaceAgent> {
    this.s.authorize('update', provisionerJobObject(job.id, job.organization_id));
    return q.insertWorkspaceAgent(this.s.q, a);
  }

  /** Resources and agents of jobs the subject may read. */
  async getResourcesByJobIDs(jobIds: string[]): Promise<{ resources: WorkspaceResource[]; agents: WorkspaceAgent[] }> {
    const allowed = [...(await this.authorizeRead(jobIds))];
    const resources = await q.getWorkspaceResourcesByJobIDs(this.s.q, allowed);
    const agents = await q.getWorkspaceAgentsByResourceIDs(
      this.s.q,
      resources.map((r) => r.id),
    );
    return { resources, agents };
  }
}
