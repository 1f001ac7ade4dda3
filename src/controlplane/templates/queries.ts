import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import type { TemplateAcl } from '../rbac/index.js';
import { isUuid } from '../ids.js';
import type { ProvisionerType, Template, TemplateVersion, TemplateVersionParameter } from './types.js';

const TEMPLATE = `t.id, t.created_at, t.updated_at, t.organization_id, t.deleted, t.name, t.provisioner, t.active_version_id,
  t.description, t.default_ttl, t.created_by, t.icon, t.user_acl, t.group_acl, t.display_name,
  t.allow_user_cancel_workspace_jobs, t.allow_user_autostart, t.allow_user_autostop, t.failure_ttl, t.time_til_dormant,
  t.time_til_dormant_autodelete, t.require_active_version, t.deprecated, t.activity_bump, t.max_port_sharing_level,
  t.disable_module_cache, o.name AS organization_name, o.display_name AS organization_display_name,
  o.icon AS organization_icon, COALESCE(u.username, '') AS created_by_username`;
const TEMPLATE_FROM = 'templates t JOIN organizations o ON o.id = t.organization_id LEFT JOIN visible_users u ON u.id = t.created_by';

export async function getTemplateByID(q: Queryable, id: string): Promise<Template | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<Template>('GetTemplateByID', `SELECT ${TEMPLATE} FROM ${TEMPLATE_FROM} WHERE t.id = $1`, [id]);
  return rows[0];
}

export async function getTemplateByOrganizationAndName(q: Queryable, orgId: string, name: string): Promise<Template | undefined> {
  const rows = await q.query<Template>(
    'GetTemplateByOrganizationAndName',
    `SELECT ${TEMPLATE} FROM ${TEMPLATE_FROM} WHERE t.organization_id = $1 AND lower(t.name) = lower($2) AND t.deleted = false`,
    [orgId, name],
  );
  return rows[0];
}

export async function getTemplates(q: Queryable, orgId?: string): Promise<Template[]> {
  return q.query<Template>(
    'GetTemplatesWithFilter',
    `SELECT ${TEMPLATE} FROM ${TEMPLATE_FROM} WHERE t.deleted = false AND ($1::uuid IS NULL OR t.organization_id = $1)
      ORDER BY lower(t.name), t.id`,
    [orgId ?? null],
  );
}

export interface InsertTemplateParams {
  orgId: string;
  name: string;
  displayName: string;
  description: string;
  icon: string;
  provisioner: ProvisionerType;
  activeVersionId: string;
  createdBy: string;
  defaultTtlNs: number;
  activityBumpNs: number;
  userAcl: TemplateAcl;
  groupAcl: TemplateAcl;
  requireActiveVersion: boolean;
  allowUserCancelWorkspaceJobs: boolean;
}

export async function insertTemplate(q: Queryable, p: InsertTemplateParams): Promise<string> {
  const id = randomUUID();
  await q.query(
    'InsertTemplate',
    `INSERT INTO templates (id, created_at, updated_at, organization_id, name, provisioner, active_version_id, description,
       created_by, icon, user_acl, group_acl, display_name, default_ttl, activity_bump, require_active_version,
       allow_user_cancel_workspace_jobs)
     VALUES ($1, now(), now(), $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15)`,
    [
      id,
      p.orgId,
      p.name,
      p.provisioner,
      p.activeVersionId,
      p.description,
      p.createdBy,
      p.icon,
      JSON.stringify(p.userAcl),
      JSON.stringify(p.groupAcl),
      p.displayName,
      p.defaultTtlNs,
      p.activityBumpNs,
      p.requireActiveVersion,
      p.allowUserCancelWorkspaceJobs,
    ],
  );
  return id;
}

export async function updateTemplateDeletedByID(q: Queryable, id: string, deleted: boolean): Promise<void> {
  await q.query('UpdateTemplateDeletedByID', 'UPDATE templates SET deleted = $2, updated_at = now() WHERE id = $1', [id, deleted]);
}

export async function updateTemplateACLByID(q: Queryable, id: string, userAcl: TemplateAcl, groupAcl: TemplateAcl): Promise<void> {
  await q.query('UpdateTemplateACLByID', 'UPDATE templates SET user_acl = $2::jsonb, group_acl = $3::jsonb WHERE id = $1', [
    id,
    JSON.stringify(userAcl),
    JSON.stringify(groupAcl),
  ]);
}

export async function updateTemplateActiveVersionByID(q: Queryable, id: string, versionId: string): Promise<void> {
  await q.query('UpdateTemplateActiveVersionByID', 'UPDATE templates SET active_version_id = $2, updated_at = now() WHERE id = $1', [id, versionId]);
}

export interface TemplateMeta {
  name: string;
  displayName: string;
  description: string;
  icon: string;
  defaultTtlNs: number;
  activityBumpNs: number;
  requireActiveVersion: boolean;
  allowUserCancelWorkspaceJobs: boolean;
  deprecated: string;
}

export async function updateTemplateMetaByID(q: Queryable, id: string, m: TemplateMeta): Promise<void> {
  await q.query(
    'UpdateTemplateMetaByID',
    `UPDATE templates SET name = $2, display_name = $3, description = $4, icon = $5, default_ttl = $6, activity_bump = $7,
       require_active_version = $8, allow_user_cancel_workspace_jobs = $9, deprecated = $10, updated_at = now() WHERE id = $1`,
    [id, m.name, m.displayName, m.description, m.icon, m.defaultTtlNs, m.activityBumpNs, m.requireActiveVersion, m.allowUserCancelWorkspaceJobs, m.deprecated],
  );
}

/** Live workspaces of a template (delete-template refuses while any exist). */
export async function getWorkspaceCountByTemplateID(q: Queryable, templateId: string): Promise<number> {
  const rows = await q.query<{ n: number }>(
    'GetWorkspacesByTemplateID',
    'SELECT count(*)::int8 AS n FROM workspaces WHERE template_id = $1 AND deleted = false',
    [templateId],
  );
  return rows[0].n;
}

const VERSION = `tv.id, tv.template_id, tv.organization_id, tv.created_at, tv.updated_at, tv.name, tv.readme, tv.job_id,
  tv.created_by, tv.message, tv.archived, tv.has_ai_task, tv.has_external_agent,
  COALESCE(u.username, '') AS created_by_username, COALESCE(u.name, '') AS created_by_name,
  COALESCE(u.avatar_url, '') AS created_by_avatar_url`;
const VERSION_FROM = 'template_versions tv LEFT JOIN visible_users u ON u.id = tv.created_by';

export async function getTemplateVersionByID(q: Queryable, id: string): Promise<TemplateVersion | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<TemplateVersion>('GetTemplateVersionByID', `SELECT ${VERSION} FROM ${VERSION_FROM} WHERE tv.id = $1`, [id]);
  return rows[0];
}

export async function getTemplateVersionByJobID(q: Queryable, jobId: string): Promise<TemplateVersion | undefined> {
  const rows = await q.query<TemplateVersion>('GetTemplateVersionByJobID', `SELECT ${VERSION} FROM ${VERSION_FROM} WHERE tv.job_id = $1`, [jobId]);
  return rows[0];
}

export async function getTemplateVersionsByTemplateID(q: Queryable, templateId: string): Promise<TemplateVersion[]> {
  return q.query<TemplateVersion>(
    'GetTemplateVersionsByTemplateID',
    `SELECT ${VERSION} FROM ${VERSION_FROM} WHERE tv.template_id = $1 AND tv.archived = false ORDER BY tv.created_at, tv.id`,
    [templateId],
  );
}

export async function insertTemplateVersion(
  q: Queryable,
  v: { id: string; templateId: string | null; orgId: string; name: string; message: string; jobId: string; createdBy: string },
): Promise<void> {
  await q.query(
    'InsertTemplateVersion',
    `INSERT INTO template_versions (id, template_id, organization_id, created_at, updated_at, name, message, readme, job_id, created_by)
     VALUES ($1, $2, $3, now(), now(), $4, $5, '', $6, $7)`,
    [v.id, v.templateId, v.orgId, v.name, v.message, v.jobId, v.createdBy],
  );
}

export async function updateTemplateVersionByID(q: Queryable, id: string, templateId: string): Promise<void> {
  await q.query('UpdateTemplateVersionByID', 'UPDATE template_versions SET template_id = $2, updated_at = now() WHERE id = $1', [id, templateId]);
}

export async function updateTemplateVersionReadmeByJobID(q: Queryable, jobId: string, readme: string): Promise<void> {
  await q.query('UpdateTemplateVersionDescriptionByJobID', 'UPDATE template_versions SET readme = $2, updated_at = now() WHERE job_id = $1', [jobId, readme]);
}

export async function getTemplateVersionParameters(q: Queryable, versionId: string): Promise<TemplateVersionParameter[]> {
  return q.query<TemplateVersionParameter>(
    'GetTemplateVersionParameters',
    `SELECT template_version_id, name, description, type, mutable, default_value, required, display_order
       FROM template_version_parameters WHERE template_version_id = $1 ORDER BY display_order, name`,
    [versionId],
  );
}

export async function insertTemplateVersionParameter(q: Queryable, p: TemplateVersionParameter): Promise<void> {
  await q.query(
    'InsertTemplateVersionParameter',
    `INSERT INTO template_version_parameters (template_version_id, name, description, type, mutable, default_value, required, display_order)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (template_version_id, name) DO NOTHING`,
    [p.template_version_id, p.name, p.description, p.type, p.mutable, p.default_value, p.required, p.display_order],
  );
}
