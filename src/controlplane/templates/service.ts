import { randomUUID } from 'node:crypto';
import { NotAuthorizedError, type Store } from '../dbauthz/store.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { badRequest, conflict, forbidden, resourceNotFound, validationFailed } from '../httpapi/errors.js';
import { nameDigitWith } from '../names/index.js';
import type { Organization } from '../orgs/types.js';
import { jobJson } from '../provisioner/types.js';
import { templateObject, templateRoleActions, templateRoleOf, type TemplateAcl, type TemplateRole } from '../rbac/index.js';
import { nameValid } from '../users/types.js';
import { templateVersionJson, type ProvisionerType, type Template, type TemplateVersion } from './types.js';

const NS_PER_MS = 1_000_000;

export async function resolveTemplate(ctx: RequestContext, id: string): Promise<Template> {
  const t = await ctx.store.templates.getTemplateByID(id);
  if (!t || t.deleted) throw resourceNotFound();
  return t;
}

export async function resolveTemplateVersion(ctx: RequestContext, id: string): Promise<TemplateVersion> {
  const v = await ctx.store.templates.getTemplateVersionByID(id);
  if (!v) throw resourceNotFound();
  return v;
}

/** A version with its import job, as Coder's TemplateVersion JSON. */
export async function versionOut(s: Store, v: TemplateVersion) {
  const jobs = await s.jobs.getProvisionerJobsByIDs([v.job_id]);
  const job = jobs.get(v.job_id);
  return templateVersionJson(v, job ? jobJson(job, job.queue_position) : undefined);
}

/**
 * POST /api/v2/organizations/{org}/templateversions: queues an import job for the uploaded file
 * with the named provisioner (`echo` runs built in).
 */
export async function createTemplateVersion(cp: ControlPlaneContext, ctx: RequestContext, org: Organization, body: Record<string, unknown>) {
  const f = new Fields(body);
  f.oneOf('storage_method', ['file'] as const);
  const fileId = f.uuid('file_id');
  const provisioner = f.oneOf('provisioner', ['echo', 'terraform'] as const, { required: true });
  const templateId = f.uuid('template_id');
  const name = f.string('name') || nameDigitWith('_');
  const message = f.string('message') ?? '';
  f.check('example_id', body.example_id === undefined || body.example_id === '', 'Examples are not supported; upload a file.');
  f.check('file_id', fileId !== undefined, 'Validation failed for tag "required" with value: ""');
  f.check('name', name.length <= 64, 'Must be 64 characters or fewer.');
  f.done();

  const file = await ctx.store.files.getFileByID(fileId!);
  if (!file) throw resourceNotFound('File not found.');
  let template: Template | undefined;
  if (templateId) {
    template = await resolveTemplate(ctx, templateId);
    if (template.organization_id !== org.id) throw badRequest('Template is in another organization.');
  }
  const versionId = randomUUID();
  try {
    const v = await ctx.store.tx(async (s) => {
      const job = await s.jobs.insertProvisionerJob(
        {
          orgId: org.id,
          initiatorId: ctx.userId,
          provisioner: provisioner as ProvisionerType,
          type: 'template_version_import',
          input: { template_version_id: versionId },
          fileId: file.id,
        },
        template ? { action: 'update', object: templateObject(template) } : { action: 'create', object: templateObject({ organization_id: org.id }) },
      );
      await s.templates.insertTemplateVersion(
        { id: versionId, templateId: template?.id ?? null, orgId: org.id, name, message, jobId: job.id, createdBy: ctx.userId },
        template,
      );
      return (await s.templates.getTemplateVersionByID(versionId))!;
    });
    cp.jobQueued();
    return versionOut(ctx.store, v);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    if ((err as { code?: string }).code === '23505') throw conflict(`A template version with name "${name}" already exists for this template.`);
    throw err;
  }
}

/** POST /api/v2/organizations/{org}/templates. */
export async function createTemplate(ctx: RequestContext, org: Organization, body: Record<string, unknown>): Promise<Template> {
  const f = new Fields(body);
  const name = f.string('name', { required: true });
  const displayName = f.string('display_name') ?? '';
  const description = f.string('description') ?? '';
  const icon = f.string('icon') ?? '';
  const versionId = f.uuid('template_version_id', { required: true });
  const defaultTtlMs = f.number('default_ttl_ms', { min: 0, integer: true });
  const activityBumpMs = f.number('activity_bump_ms', { min: 0, integer: true });
  const noEveryone = f.boolean('disable_everyone_group_access') ?? false;
  const requireActive = f.boolean('require_active_version') ?? false;
  const allowCancel = f.boolean('allow_user_cancel_workspace_jobs') ?? true;
  if (name !== undefined) {
    const bad = nameValid(name);
    if (bad) f.check('name', false, bad);
  }
  f.check('description', description.length <= 128, 'Must be 128 characters or fewer.');
  f.done();

  const version = await ctx.store.templates.getTemplateVersionByID(versionId!);
  if (!version || version.organization_id !== org.id) throw resourceNotFound('Template version not found.');
  if (version.template_id) throw badRequest(`Template version ${version.id} is already part of a template.`);
  const job = (await ctx.store.jobs.getProvisionerJobsByIDs([version.job_id])).get(version.job_id);
  if (job && (job.job_status === 'failed' || job.job_status === 'canceled')) {
    throw badRequest('The provided template version failed to import.', job.error ?? undefined);
  }
  if (await ctx.store.asSystem('systemRestricted').templates.getTemplateByOrganizationAndName(org.id, name!)) {
    throw conflict(`Template with name "${name}" already exists.`, undefined);
  }
  try {
    const id = await ctx.store.tx(async (s) => {
      const tid = await s.templates.insertTemplate({
        orgId: org.id,
        name: name!,
        displayName,
        description,
        icon,
        provisioner: job?.provisioner ?? 'echo',
        activeVersionId: version.id,
        createdBy: ctx.userId,
        defaultTtlNs: defaultTtlMs !== undefined ? defaultTtlMs * NS_PER_MS : 7 * 24 * 3600 * 1000 * NS_PER_MS,
        activityBumpNs: activityBumpMs !== undefined ? activityBumpMs * NS_PER_MS : 3600 * 1000 * NS_PER_MS,
        userAcl: {},
        // The Everyone group (id = org id) may read and use new templates unless asked otherwise.
        groupAcl: noEveryone ? {} : { [org.id]: ['read', 'use'] },
        requireActiveVersion: requireActive,
        allowUserCancelWorkspaceJobs: allowCancel,
      });
      await s.templates.updateTemplateVersionByID(version, tid);
      return tid;
    });
    return (await ctx.store.templates.getTemplateByID(id))!;
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    if ((err as { code?: string }).code === '23505') throw conflict(`Template with name "${name}" already exists.`);
    throw err;
  }
}

/**
 * DELETE /api/v2/templates/{id} (reference §2.11): live workspaces → 400; the caller may not
 * delete it → 403 (never 500); else 200.
 */
export async function deleteTemplate(ctx: RequestContext, t: Template): Promise<void> {
  const count = await ctx.store.asSystem('systemRestricted').templates.getWorkspaceCountByTemplateID(t.id);
  if (count > 0) throw badRequest('All workspaces must be deleted before a template can be removed.');
  try {
    await ctx.store.templates.updateTemplateDeletedByID(t);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function setActiveVersion(ctx: RequestContext, t: Template, body: Record<string, unknown>): Promise<void> {
  const f = new Fields(body);
  const id = f.uuid('id', { required: true });
  f.done();
  const v = await ctx.store.templates.getTemplateVersionByID(id!);
  if (!v || v.template_id !== t.id) throw badRequest('The template version is not part of this template.');
  const job = (await ctx.store.jobs.getProvisionerJobsByIDs([v.job_id])).get(v.job_id);
  if (!job || job.job_status !== 'succeeded') throw badRequest('The template version must be imported successfully to be made active.');
  try {
    await ctx.store.templates.updateTemplateActiveVersionByID(t, v.id);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function updateTemplateMeta(ctx: RequestContext, t: Template, body: Record<string, unknown>): Promise<Template> {
  const f = new Fields(body);
  const name = f.string('name') || t.name;
  const bad = nameValid(name);
  if (bad) f.check('name', false, bad);
  const displayName = f.string('display_name') ?? t.display_name;
  const description = f.string('description') ?? t.description;
  const icon = f.string('icon') ?? t.icon;
  const ttl = f.number('default_ttl_ms', { min: 0, integer: true });
  const bump = f.number('activity_bump_ms', { min: 0, integer: true });
  const requireActive = f.boolean('require_active_version') ?? t.require_active_version;
  const allowCancel = f.boolean('allow_user_cancel_workspace_jobs') ?? t.allow_user_cancel_workspace_jobs;
  const deprecated = f.string('deprecation_message') ?? t.deprecated;
  f.done();
  try {
    await ctx.store.templates.updateTemplateMetaByID(t, {
      name,
      displayName,
      description,
      icon,
      defaultTtlNs: ttl !== undefined ? ttl * NS_PER_MS : t.default_ttl,
      activityBumpNs: bump !== undefined ? bump * NS_PER_MS : t.activity_bump,
      requireActiveVersion: requireActive,
      allowUserCancelWorkspaceJobs: allowCancel,
      deprecated,
    });
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    if ((err as { code?: string }).code === '23505') throw conflict(`Template with name "${name}" already exists.`);
    throw err;
  }
  return (await ctx.store.templates.getTemplateByID(t.id))!;
}

/** PATCH /api/v2/templates/{id}/acl `{user_perms: {id: role}, group_perms: {id: role}}`; '' removes. */
export async function patchTemplateAcl(ctx: RequestContext, t: Template, body: Record<string, unknown>): Promise<void> {
  const f = new Fields(body);
  const users = f.stringMap('user_perms') ?? {};
  const groups = f.stringMap('group_perms') ?? {};
  f.done();
  const problems: { field: string; detail: string }[] = [];
  const system = ctx.store.asSystem('systemRestricted');
  const userAcl: TemplateAcl = { ...t.user_acl };
  const groupAcl: TemplateAcl = { ...t.group_acl };
  for (const [id, role] of Object.entries(users)) {
    if (!['admin', 'use', ''].includes(role)) problems.push({ field: `user_perms.${id}`, detail: `Invalid role "${role}".` });
    else if (!(await system.orgs.getOrganizationMember(t.organization_id, id))) problems.push({ field: `user_perms.${id}`, detail: 'Not a member of the organization.' });
    else if (role === '') delete userAcl[id];
    else userAcl[id] = templateRoleActions(role as TemplateRole);
  }
  for (const [id, role] of Object.entries(groups)) {
    if (!['admin', 'use', ''].includes(role)) problems.push({ field: `group_perms.${id}`, detail: `Invalid role "${role}".` });
    else if (id !== t.organization_id && !(await system.orgs.getGroupByID(id).catch(() => undefined))) problems.push({ field: `group_perms.${id}`, detail: 'No such group.' });
    else if (role === '') delete groupAcl[id];
    else groupAcl[id] = templateRoleActions(role as TemplateRole);
  }
  if (problems.length) throw validationFailed(problems);
  try {
    await ctx.store.templates.updateTemplateACLByID(t, userAcl, groupAcl);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function templateAclOut(cp: ControlPlaneContext, t: Template) {
  const users = [];
  for (const [id, actions] of Object.entries(t.user_acl)) {
    const u = await cp.system.users.getUserByID(id);
    if (u) users.push({ id: u.id, username: u.username, name: u.name, avatar_url: u.avatar_url, role: templateRoleOf(actions) });
  }
  const group = [];
  for (const [id, actions] of Object.entries(t.group_acl)) {
    const g = await cp.system.orgs.getGroupByID(id).catch(() => undefined);
    if (g) group.push({ id: g.id, name: g.name, display_name: g.display_name, organization_id: g.organization_id, role: templateRoleOf(actions) });
  }
  return { users, group };
}
