import { randomUUID } from 'node:crypto';
import { AibridgeError } from '../../errors.js';
import type { Store } from '../dbauthz/store.js';
import { ZeroTime } from '../workspaces/types.js';
import type { JobResult, ProvisionerJob } from './types.js';

export class JobNotRunningError extends AibridgeError {
  constructor(readonly jobId: string) {
    super('JOB_NOT_RUNNING', `provisioner job ${jobId} is not running`);
  }
}

const NS_PER_MS = 1_000_000;

/**
 * Records a provisioner's result for a running job, in one transaction, as the provisioner
 * daemon: an import's parameters, readme and preview resources; a build's resources, agents,
 * state and deadline (and the workspace's deletion after a delete); then the job's completion.
 */
export async function completeJob(s: Store, jobId: string, result: JobResult): Promise<ProvisionerJob> {
  return s.tx(async (tx) => {
    const job = await tx.jobs.getProvisionerJobByID(jobId);
    if (!job || !job.started_at || job.completed_at) throw new JobNotRunningError(jobId);
    if (job.canceled_at) return tx.jobs.updateProvisionerJobWithCompleteByID(job, 'Job was canceled.', null);
    const error = result.error ? result.error : null;
    if (!error) {
      if (job.type === 'template_version_import') {
        const v = await tx.templates.getTemplateVersionByJobID(job.id);
        if (v) {
          let order = 0;
          for (const p of result.parameters ?? []) {
            await tx.templates.insertTemplateVersionParameter(v, {
              template_version_id: v.id,
              name: p.name,
              description: p.description ?? '',
              type: p.type ?? 'string',
              mutable: p.mutable ?? true,
              default_value: p.default_value ?? '',
              required: p.required ?? false,
              display_order: order++,
            });
          }
          if (result.readme) await tx.templates.updateTemplateVersionReadme(v, result.readme);
        }
        await insertResources(tx, job, 'start', result);
      } else if (job.type === 'workspace_build') {
        const b = await tx.builds.getWorkspaceBuildByJobID(job.id);
        if (!b) throw new Error(`job ${job.id} has no workspace build`);
        const w = (await tx.workspaces.getWorkspaceByID(b.workspace_id))!;
        await insertResources(tx, job, b.transition, result);
        if (result.state !== undefined) await tx.builds.updateWorkspaceBuildProvisionerStateByID(b.id, result.state);
        if (b.transition === 'start') {
          const ttlNs = w.ttl ?? 0;
          if (ttlNs > 0) await tx.builds.updateWorkspaceBuildDeadlineByID(b, new Date(Date.now() + Math.floor(ttlNs / NS_PER_MS)), ZeroTime);
        }
        if (b.transition === 'delete') await tx.workspaces.updateWorkspaceDeletedByID(w, true);
      }
    }
    return tx.jobs.updateProvisionerJobWithCompleteByID(job, error, error ? (result.errorCode ?? null) : null);
  });
}

async function insertResources(s: Store, job: ProvisionerJob, transition: string, result: JobResult): Promise<void> {
  for (const r of result.resources ?? []) {
    const res = await s.jobs.insertWorkspaceResource(job, {
      transition,
      type: r.type,
      name: r.name,
      hide: r.hide ?? false,
      icon: r.icon ?? '',
      dailyCost: r.daily_cost ?? 0,
    });
    for (const a of r.agents ?? []) {
      await s.jobs.insertWorkspaceAgent(job, {
        resourceId: res.id,
        name: a.name,
        authToken: a.auth_token ?? randomUUID(),
        architecture: a.architecture ?? 'amd64',
        operatingSystem: a.operating_system ?? 'linux',
      });
    }
  }
}
