import { randomUUID } from 'node:crypto';
import { HttpError } from '../../errors.js';
import type { Store } from '../dbauthz/store.js';
import { badRequest, conflict, forbidden, validationFailed, type Validation } from '../httpapi/errors.js';
import { jobJson, resourcesJson } from '../provisioner/types.js';
import type { TemplateVersionParameter } from '../templates/types.js';
import type { Workspace } from '../workspaces/types.js';
import { buildJson, type BuildParameter, type BuildReason, type Transition, type WorkspaceBuild } from './types.js';

export interface BuildRequest {
  transition: Transition;
  initiatorId: string;
  templateVersionId?: string;
  richParameterValues?: BuildParameter[];
  /** Explicit provisioner state for the new build: template managers only. */
  state?: Buffer;
  reason?: BuildReason;
}

const verbs: Record<Transition, string> = { start: 'start', stop: 'stop', delete: 'delete' };

/**
 * Resolves the parameters of a build: given values, else the previous build's, else defaults;
 * immutable ones may not change after the first build; required ones must end up set.
 */
export function resolveParameters(
  templateParams: TemplateVersionParameter[] | undefined,
  previous: BuildParameter[],
  given: BuildParameter[],
  firstBuild: boolean,
): { params: BuildParameter[]; problems: Validation[] } {
  const problems: Validation[] = [];
  const givenBy = new Map(given.map((p) => [p.name, p.value]));
  const prevBy = new Map(previous.map((p) => [p.name, p.value]));
  if (!templateParams) {
    // The import has not finished: keep what was given and what the last build had.
    const merged = new Map([...prevBy, ...givenBy]);
    return { params: [...merged].map(([name, value]) => ({ name, value })), problems };
  }
  const known = new Set(templateParams.map((p) => p.name));
  for (const name of givenBy.keys()) {
    if (!known.has(name)) problems.push({ field: name, detail: `Parameter "${name}" is not present in the template.` });
  }
  const params: BuildParameter[] = [];
  for (const tp of templateParams) {
    const g = givenBy.get(tp.name);
    const prev = prevBy.get(tp.name);
    if (!firstBuild && !tp.mutable && g !== undefined && prev !== undefined && g !== prev) {
      problems.push({ field: tp.name, detail: `Parameter "${tp.name}" is not mutable, so it can't be updated after creating a workspace.` });
    }
    const value = g ?? prev ?? (tp.required ? undefined : tp.default_value);
    if (value === undefined) {
      problems.push({ field: tp.name, detail: `Parameter "${tp.name}" is required but was not provided.` });
      continue;
    }
    params.push({ name: tp.name, value });
  }
  return { params, problems };
}

/**
 * Creates a build and its provisioner job (Coder's wsbuilder), in the caller's transaction.
 * The previous build's provisioner state is copied into the new build through the
 * least-privilege workspace-builder subject, so members without template:update can build.
 */
export async function buildWorkspace(s: Store, w: Workspace, r: BuildRequest): Promise<WorkspaceBuild> {
  const system = s.asSystem('systemRestricted');
  const template = await system.templates.getTemplateByID(w.template_id);
  if (!template) throw badRequest('The workspace template no longer exists.');
  const latest = await s.builds.getLatestWorkspaceBuildByWorkspaceID(w);
  if (latest) {
    const prevJob = (await system.jobs.getProvisionerJobsByIDs([latest.job_id])).get(latest.job_id);
    if (prevJob && ['pending', 'running', 'canceling'].includes(prevJob.job_status)) {
      throw conflict('A workspace build is already active.');
    }
  }

  if (!s.workspaces.can(r.transition, w)) {
    throw new HttpError(403, `Unauthorized to ${verbs[r.transition]} workspace.`, `You do not have the workspace:${r.transition} permission.`);
  }

  let versionId = r.templateVersionId;
  if (!versionId) versionId = r.transition === 'start' && (!latest || template.require_active_version) ? template.active_version_id : (latest?.template_version_id ?? template.active_version_id);
  const version = await system.templates.getTemplateVersionByID(versionId);
  if (!version || version.template_id !== template.id) throw badRequest("Template version is not part of the workspace's template.");
  if (r.transition === 'start' && template.require_active_version && version.id !== template.active_version_id && !s.templates.can('update', template)) {
    throw forbidden('The template requires the active version; only template managers may build another.');
  }
  const importJob = (await system.jobs.getProvisionerJobsByIDs([version.job_id])).get(version.job_id);
  if (!importJob) throw badRequest('The template version has no import job.');
  if (importJob.job_status === 'failed' || importJob.job_status === 'canceled') {
    throw badRequest('The provided template version failed to import.', importJob.error ?? undefined);
  }

  let state: Buffer | null = null;
  if (r.state !== undefined) {
    if (!s.templates.can('update', template)) throw forbidden('Only template managers may provide custom state.');
    state = r.state;
  } else if (latest) {
    const row = await s.asSystem('workspaceBuilder').builds.getWorkspaceBuildProvisionerStateByID(latest.id);
    state = row?.provisioner_state ?? null;
  }

  const templateParams = importJob.job_status === 'succeeded' ? await system.templates.getTemplateVersionParameters(version) : undefined;
  const previous = latest ? await s.builds.getWorkspaceBuildParameters(latest) : [];
  const { params, problems } = resolveParameters(templateParams, previous, r.richParameterValues ?? [], !latest);
  if (problems.length) throw validationFailed(problems, 'Unable to validate parameters.');

  const buildId = randomUUID();
  const job = await s.jobs.insertProvisionerJob(
    {
      orgId: w.organization_id,
      initiatorId: r.initiatorId,
      provisioner: importJob.provisioner,
      type: 'workspace_build',
      input: { workspace_build_id: buildId },
      fileId: importJob.file_id,
    },
    { action: r.transition, object: s.workspaceObject(w) },
  );
  await s.builds.insertWorkspaceBuild(w, {
    id: buildId,
    workspaceId: w.id,
    templateVersionId: version.id,
    buildNumber: (latest?.build_number ?? 0) + 1,
    transition: r.transition,
    initiatorId: r.initiatorId,
    jobId: job.id,
    provisionerState: state,
    reason: r.reason ?? 'initiator',
  });
  await s.builds.insertWorkspaceBuildParameters(buildId, params);
  return (await s.builds.getWorkspaceBuildByID(buildId))!;
}

/** Builds as Coder's WorkspaceBuild JSON (with job and resources). */
export async function buildsOut(s: Store, w: Workspace, builds: WorkspaceBuild[]) {
  const jobs = await s.jobs.getProvisionerJobsByIDs(builds.map((b) => b.job_id));
  const { resources, agents } = await s.jobs.getResourcesByJobIDs(builds.map((b) => b.job_id));
  const system = s.asSystem('systemRestricted');
  const versionNames = new Map<string, string>();
  for (const id of new Set(builds.map((b) => b.template_version_id))) {
    versionNames.set(id, (await system.templates.getTemplateVersionByID(id))?.name ?? '');
  }
  return builds.map((b) => {
    const job = jobs.get(b.job_id);
    return buildJson(b, {
      workspaceName: w.name,
      ownerId: w.owner_id,
      ownerName: w.owner_username,
      templateVersionName: versionNames.get(b.template_version_id) ?? '',
      job: job ? jobJson(job, job.queue_position) : { status: 'unknown' as const },
      resources: resourcesJson(
        resources.filter((r) => r.job_id === b.job_id),
        agents,
      ),
    });
  });
}
