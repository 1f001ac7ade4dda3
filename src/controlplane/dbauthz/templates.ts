import { templateObject, type TemplateAcl } from '../rbac/index.js';
import * as q from '../templates/queries.js';
import type { Template, TemplateVersion, TemplateVersionParameter } from '../templates/types.js';
import type { Store } from './store.js';

export class TemplatesAuthz {
  constructor(private readonly s: Store) {}

  async getTemplateByID(id: string): Promise<Template | undefined> {
    return this.s.check(await q.getTemplateByID(this.s.q, id), 'read', templateObject);
  }

  async getTemplateByOrganizationAndName(orgId: string, name: string): Promise<Template | undefined> {
    return this.s.check(await q.getTemplateByOrganizationAndName(this.s.q, orgId, name), 'read', templateObject);
  }

  async getTemplates(orgId?: string): Promise<Template[]> {
    return this.s.filter(await q.getTemplates(this.s.q, orgId), 'read', templateObject);
  }

  /** Whether the subject may do action on this template (for handlers that decide 403s). */
  can(action: string, t: Template): boolean {
    return this.s.can(action, templateObject(t));
  }

  async insertTemplate(p: q.InsertTemplateParams): Promise<string> {
    this.s.authorize('create', templateObject({ organization_id: p.orgId }));
    return q.insertTemplate(this.s.q, p);
  }

  async updateTemplateDeletedByID(t: Template): Promise<void> {
    this.s.authorize('delete', templateObject(t));
    await q.updateTemplateDeletedByID(this.s.q, t.id, true);
  }

  async updateTemplateACLByID(t: Template, userAcl: TemplateAcl, groupAcl: TemplateAcl): Promise<void> {
    this.s.authorize('update', templateObject(t));
    await q.updateTemplateACLByID(this.s.q, t.id, userAcl, groupAcl);
  }

  async updateTemplateActiveVersionByID(t: Template, versionId: string): Promise<void> {
    this.s.authorize('update', templateObject(t));
    await q.updateTemplateActiveVersionByID(this.s.q, t.id, versionId);
  }

  async updateTemplateMetaByID(t: Template, m: q.TemplateMeta): Promise<void> {
    this.s.authorize('update', templateObject(t));
    await q.updateTemplateMetaByID(this.s.q, t.id, m);
  }

  /** Counting a template's workspaces is bookkeeping: it runs as the system (see deleteTemplate). */
  async getWorkspaceCountByTemplateID(templateId: string): Promise<number> {
    this.s.authorize('read', { type: 'system' });
    return q.getWorkspaceCountByTemplateID(this.s.q, templateId);
  }

  // Versions: authorized through their template; before one is attached, through the org.

  private async versionObject(v: TemplateVersion) {
    if (v.template_id) {
      const t = await q.getTemplateByID(this.s.q, v.template_id);
      if (t) return templateObject(t);
    }
    return templateObject({ organization_id: v.organization_id });
  }

  async getTemplateVersionByID(id: string): Promise<TemplateVersion | undefined> {
    const v = await q.getTemplateVersionByID(this.s.q, id);
    if (!v) return undefined;
    this.s.authorize('read', await this.versionObject(v));
    return v;
  }

  async getTemplateVersionByJobID(jobId: string): Promise<TemplateVersion | undefined> {
    const v = await q.getTemplateVersionByJobID(this.s.q, jobId);
    if (!v) return undefined;
    this.s.authorize('read', await this.versionObject(v));
    return v;
  }

  async getTemplateVersionsByTemplateID(t: Template): Promise<TemplateVersion[]> {
    this.s.authorize('read', templateObject(t));
    return q.getTemplateVersionsByTemplateID(this.s.q, t.id);
  }

  /** A new version: `update` on its template, or `create` in the org for a template to come. */
  async insertTemplateVersion(v: Parameters<typeof q.insertTemplateVersion>[1], template?: Template): Promise<void> {
    if (template) this.s.authorize('update', templateObject(template));
    else this.s.authorize('create', templateObject({ organization_id: v.orgId }));
    await q.insertTemplateVersion(this.s.q, v);
  }

  async updateTemplateVersionByID(v: TemplateVersion, templateId: string): Promise<void> {
    const t = await q.getTemplateByID(this.s.q, templateId);
    this.s.authorize('update', t ? templateObject(t) : templateObject({ organization_id: v.organization_id }));
    await q.updateTemplateVersionByID(this.s.q, v.id, templateId);
  }

  async getTemplateVersionParameters(v: TemplateVersion): Promise<TemplateVersionParameter[]> {
    this.s.authorize('read', await this.versionObject(v));
    return q.getTemplateVersionParameters(this.s.q, v.id);
  }

  /** Written by the provisioner when an import completes. */
  async insertTemplateVersionParameter(v: TemplateVersion, p: TemplateVersionParameter): Promise<void> {
    this.s.authorize('update', await this.versionObject(v));
    await q.insertTemplateVersionParameter(this.s.q, p);
  }

  async updateTemplateVersionReadme(v: TemplateVersion, readme: string): Promise<void> {
    this.s.authorize('update', await this.versionObject(v));
    await q.updateTemplateVersionReadmeByJobID(this.s.q, v.job_id, readme);
  }
}
