import { randomUUID } from 'node:crypto';
import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields, readObject } from '../httpapi/body.js';
import { conflict, forbidden, resourceNotFound, validationFailed } from '../httpapi/errors.js';
import { sendNoContent } from '../httpapi/route.js';
import { provisionerJobObject } from '../rbac/index.js';
import { isUuid } from '../ids.js';
import { completeJob, JobNotRunningError } from './complete.js';
import { jobJson, type JobResult, type ParameterSpec, type ResourceSpec } from './types.js';

function parseResources(raw: unknown, problems: { field: string; detail: string }[]): ResourceSpec[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const ok =
    Array.isArray(raw) &&
    raw.every(
      (r) =>
        r &&
        typeof r.name === 'string' &&
        typeof r.type === 'string' &&
        (r.agents === undefined ||
          (Array.isArray(r.agents) && r.agents.every((a: { name?: unknown; auth_token?: unknown }) => a && typeof a.name === 'string' && (a.auth_token === undefined || (typeof a.auth_token === 'string' && isUuid(a.auth_token)))))),
    );
  if (!ok) {
    problems.push({ field: 'resources', detail: 'Must be a list of {name, type, agents?: [{name, auth_token? (UUID)}]}.' });
    return undefined;
  }
  return raw as ResourceSpec[];
}

/**
 * A small provisioner-daemon API for provisioners outside the process (Terraform, say): acquire
 * the oldest pending job of some provisioner types, then complete it with its result. Callers
 * need provisioner-job update rights in the job's organization (template admins, owners).
 */
export function registerProvisionerRoutes(router: Router, cp: ControlPlaneContext, onCompleted: (jobId: string) => void): void {
  const { route } = cp;

  router.post(
    '/api/v2/provisionerdaemons/jobs/acquire',
    route.authed(async (ctx, req, res) => {
      const f = new Fields(await readObject(req));
      const types = f.stringArray('provisioner_types') ?? ['terraform'];
      const orgRef = f.string('organization');
      const workerId = f.uuid('worker_id');
      for (const t of types) f.check('provisioner_types', t === 'echo' || t === 'terraform', `Unknown provisioner type "${t}".`);
      f.done();
      const system = cp.system;
      const orgs = orgRef ? [await system.orgs.getOrganizationUnchecked(orgRef)].filter((o) => !!o) : await system.orgs.getOrganizations();
      const allowed = orgs.filter((o) => ctx.store.can('update', provisionerJobObject(undefined, o!.id))).map((o) => o!.id);
      if (!allowed.length) throw forbidden();
      const job = await ctx.store.jobs.acquireProvisionerJob(workerId ?? randomUUID(), types, allowed);
      if (!job) return sendNoContent(res);
      const out: Record<string, unknown> = {
        job_id: job.id,
        type: job.type,
        provisioner: job.provisioner,
        organization_id: job.organization_id,
        file_id: job.file_id,
        input: job.input,
      };
      if (job.type === 'workspace_build') {
        const sys = ctx.store.asSystem('provisionerd');
        const b = await sys.builds.getWorkspaceBuildByJobID(job.id);
        if (b) {
          const state = await sys.builds.getWorkspaceBuildProvisionerStateByID(b.id);
          const w = await sys.workspaces.getWorkspaceByID(b.workspace_id);
          out.workspace_build_id = b.id;
          out.transition = b.transition;
          out.workspace_name = w?.name;
          out.workspace_owner = w?.owner_username;
          out.template_version_id = b.template_version_id;
          out.previous_state = state?.provisioner_state?.toString('base64') ?? '';
          out.parameters = await sys.builds.getWorkspaceBuildParameters(b);
        }
      } else {
        out.template_version_id = job.input.template_version_id;
      }
      sendJson(res, 200, out);
    }),
  );

  router.get(
    '/api/v2/provisionerjobs/{job}',
    route.authed(async (ctx, _req, res, p) => {
      const job = await ctx.store.jobs.getProvisionerJobByID(p.job!);
      if (!job) throw resourceNotFound();
      sendJson(res, 200, jobJson(job));
    }),
  );

  router.post(
    '/api/v2/provisionerjobs/{job}/complete',
    route.authed(async (ctx, req, res, p) => {
      const job = await ctx.store.jobs.getProvisionerJobByID(p.job!);
      if (!job) throw resourceNotFound();
      if (!ctx.store.can('update', provisionerJobObject(job.id, job.organization_id))) throw forbidden();
      const body = await readObject(req, 128 * 1024 * 1024);
      const f = new Fields(body);
      const error = f.string('error');
      const errorCode = f.string('error_code');
      const state = f.string('state');
      const readme = f.string('readme');
      const problems: { field: string; detail: string }[] = [];
      const resources = parseResources(body.resources, problems);
      const parameters = body.parameters as ParameterSpec[] | undefined;
      if (parameters !== undefined && (!Array.isArray(parameters) || parameters.some((x) => !x || typeof x.name !== 'string'))) {
        problems.push({ field: 'parameters', detail: 'Must be a list of {name, …}.' });
      }
      f.done();
      if (problems.length) throw validationFailed(problems);
      const result: JobResult = {
        error: error || undefined,
        errorCode: errorCode || undefined,
        state: state !== undefined ? Buffer.from(state, 'base64') : undefined,
        resources,
        parameters,
        readme,
      };
      try {
        const done = await completeJob(ctx.store.asSystem('provisionerd'), job.id, result);
        onCompleted(job.id);
        sendJson(res, 200, jobJson(done));
      } catch (err) {
        if (err instanceof JobNotRunningError) throw conflict('The job is not running.', 'Acquire it first; a job completes once.');
        throw err;
      }
    }),
  );
}
