import { templateObject, type WorkspaceAcl } from '../rbac/index.js';
import * as tq from '../templates/queries.js';
import * as q from '../workspaces/queries.js';
import type { Workspace } from '../workspaces/types.js';
import type { Store } from './store.js';

export class WorkspacesAuthz {
  constructor(private readonly s: Store) {}

  private obj = (w: Workspace) => this.s.workspaceObject(w);

  async getWorkspaceByID(id: string): Promise<Workspace | undefined> {
    return this.s.check(await q.getWorkspaceByID(this.s.q, id), 'read', this.obj);
  }

  async getWorkspaceByOwnerIDAndName(ownerId: string, name: string, includeDeleted = false): Promise<Workspace | undefined> {
    return this.s.check(await q.getWorkspaceByOwnerIDAndName(this.s.q, ownerId, name, includeDeleted), 'read', this.obj);
  }

  async getWorkspaces(f: q.WorkspaceFilter): Promise<Workspace[]> {
    return this.s.filter(await q.getWorkspaces(this.s.q, f), 'read', this.obj);
  }

  can(action: string, w: Workspace): boolean {
    return this.s.can(action, this.obj(w));
  }

  /** Creating a workspace needs workspace:create for its owner in its org and template:use. */
  async insertWorkspace(w: Parameters<typeof q.insertWorkspace>[1]): Promise<string> {
    this.s.authorize('create', this.s.workspaceObject({ owner_id: w.ownerId, organization_id: w.orgId }));
    const t = await tq.getTemplateByID(this.s.q, w.templateId);
    if (!t) throw new Error(`InsertWorkspace: template ${w.templateId} not found`);
    this.s.authorize('use', templateObject(t));
    return q.insertWorkspace(this.s.q, w);
  }

  async updateWorkspaceDeletedByID(w: Workspace, deleted: boolean): Promise<void> {
    this.s.authorize('delete', this.obj(w));
    await q.updateWorkspaceDeletedByID(this.s.q, w.id, deleted);
  }

  async updateWorkspaceACLByID(w: Workspace, userAcl: WorkspaceAcl, groupAcl: WorkspaceAcl): Promise<void> {
    this.s.authorize('share', this.obj(w));
    await q.updateWorkspaceACLByID(this.s.q, w.id, userAcl, groupAcl);
  }

  async deleteWorkspaceACLByID(w: Workspace): Promise<void> {
    this.s.authorize('share', this.obj(w));
    await q.deleteWorkspaceACLByID(this.s.q, w.id);
  }

  async updateWorkspaceLastUsedAt(w: Workspace, at: Date): Promise<void> {
    this.s.authorize('update', this.obj(w));
    await q.updateWorkspaceLastUsedAt(this.s.q, w.id, at);
  }
}
