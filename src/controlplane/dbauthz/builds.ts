import * as q from '../builds/queries.js';
import { transitionAction, type BuildParameter, type Transition, type WorkspaceBuild, type WorkspaceBuildProvisionerState } from '../builds/types.js';
import { templateObject } from '../rbac/index.js';
import * as wq from '../workspaces/queries.js';
import type { Workspace } from '../workspaces/types.js';
import type { Store } from './store.js';

/**
 * Builds are authorized through their workspace; their provisioner state through their
 * template (template:update), never through the workspace.
 */
export class BuildsAuthz {
  constructor(private readonly s: Store) {}

  private async workspaceOf(b: WorkspaceBuild): Promise<Workspace> {
    const w = await wq.getWorkspaceByID(this.s.q, b.workspace_id);
    if (!w) throw new Error(`workspace ${b.workspace_id} of build ${b.id} not found`);
    return w;
  }

  private async checkRead(b: WorkspaceBuild | undefined): Promise<WorkspaceBuild | undefined> {
    if (!b) return undefined;
    this.s.authorize('read', this.s.workspaceObject(await this.workspaceOf(b)));
    return b;
  }

  async getWorkspaceBuildByID(id: string): Promise<WorkspaceBuild | undefined> {
    return this.checkRead(await q.getWorkspaceBuildByID(this.s.q, id));
  }

  async getWorkspaceBuildByJobID(jobId: string): Promise<WorkspaceBuild | undefined> {
    return this.checkRead(await q.getWorkspaceBuildByJobID(this.s.q, jobId));
  }

  async getWorkspaceBuildByWorkspaceIDAndBuildNumber(w: Workspace, n: number): Promise<WorkspaceBuild | undefined> {
    this.s.authorize('read', this.s.workspaceObject(w));
    return q.getWorkspaceBuildByWorkspaceIDAndBuildNumber(this.s.q, w.id, n);
  }

  async getLatestWorkspaceBuildByWorkspaceID(w: Workspace): Promise<WorkspaceBuild | undefined> {
    this.s.authorize('read', this.s.workspaceObject(w));
    return q.getLatestWorkspaceBuildByWorkspaceID(this.s.q, w.id);
  }

  async getLatestWorkspaceBuildsByWorkspaceIDs(ws: Workspace[]): Promise<WorkspaceBuild[]> {
    for (const w of ws) this.s.authorize('read', this.s.workspaceObject(w));
    return q.getLatestWorkspaceBuildsByWorkspaceIDs(
      this.s.q,
      ws.map((w) => w.id),
    );
  }

  async getWorkspaceBuildsByWorkspaceID(w: Workspace): Promise<WorkspaceBuild[]> {
    this.s.authorize('read', this.s.workspaceObject(w));
    return q.getWorkspaceBuildsByWorkspaceID(this.s.q, w.id);
  }

  /** A new build needs the transition's action on the workspace: start, stop or delete. */
  async insertWorkspaceBuild(w: Workspace, b: q.InsertWorkspaceBuildParams): Promise<void> {
    this.s.authorize(transitionAction(b.transition), this.s.workspaceObject(w));
    await q.insertWorkspaceBuild(this.s.q, b);
  }

  /**
   * Build parameters are authorized by the build's transition (start → workspace:start, stop →
   * workspace:stop, delete → workspace:delete; coder/coder PR #21691), not by workspace:update.
   */
  async insertWorkspaceBuildParameters(buildId: string, params: BuildParameter[]): Promise<void> {
    const b = await q.getWorkspaceBuildByID(this.s.q, buildId);
    if (!b) throw new Error(`InsertWorkspaceBuildParameters: build ${buildId} not found`);
    const w = await this.workspaceOf(b);
    this.s.authorize(transitionAction(b.transition as Transition), this.s.workspaceObject(w));
    await q.insertWorkspaceBuildParameters(this.s.q, buildId, params);
  }

  async getWorkspaceBuildParameters(b: WorkspaceBuild): Promise<BuildParameter[]> {
    this.s.authorize('read', this.s.workspaceObject(await this.workspaceOf(b)));
    return q.getWorkspaceBuildParameters(this.s.q, b.id);
  }

  /** The state bytes, with the template they are authorized through: needs template:update. */
  async getWorkspaceBuildProvisionerStateByID(id: string): Promise<WorkspaceBuildProvisionerState | undefined> {
    return this.s.check(await q.getWorkspaceBuildProvisionerStateByID(this.s.q, id), 'update', (r) =>
      templateObject({ id: r.template_id, organization_id: r.template_organization_id, user_acl: r.user_acl, group_acl: r.group_acl }),
    );
  }

  /** Replaces a build's state in place (no new build, no job): template:update, as for reading it. */
  async updateWorkspaceBuildProvisionerStateByID(id: string, state: Buffer | null, at = new Date()): Promise<boolean> {
    const row = await this.getWorkspaceBuildProvisionerStateByID(id);
    if (!row) return false;
    await q.updateWorkspaceBuildProvisionerStateByID(this.s.q, id, state, at);
    return true;
  }

  async updateWorkspaceBuildDeadlineByID(b: WorkspaceBuild, deadline: Date, maxDeadline: Date): Promise<void> {
    this.s.authorize('update', this.s.workspaceObject(await this.workspaceOf(b)));
    await q.updateWorkspaceBuildDeadlineByID(this.s.q, b.id, deadline, maxDeadline);
  }
}
