import type { JobStatus } from '../provisioner/types.js';
import { isZeroTime } from '../workspaces/types.js';

export type Transition = 'start' | 'stop' | 'delete';
export const Transitions: Transition[] = ['start', 'stop', 'delete'];

export const BuildReasons = [
  'initiator',
  'autostart',
  'autostop',
  'dormancy',
  'failedstop',
  'autodelete',
  'dashboard',
  'cli',
  'ssh_connection',
  'vscode_connection',
  'jetbrains_connection',
  'task_auto_pause',
  'task_manual_pause',
  'task_resume',
] as const;
export type BuildReason = (typeof BuildReasons)[number];

/** Reasons a client may give for a build it asks for; the others are the system's own. */
export const ClientBuildReasons: BuildReason[] = [
  'initiator',
  'dashboard',
  'cli',
  'ssh_connection',
  'vscode_connection',
  'jetbrains_connection',
  'task_manual_pause',
  'task_resume',
];

/** A row of workspace_build_with_user: every build column but provisioner_state. */
export interface WorkspaceBuild {
  id: string;
  created_at: Date;
  updated_at: Date;
  workspace_id: string;
  template_version_id: string;
  build_number: number;
  transition: Transition;
  initiator_id: string;
  job_id: string;
  deadline: Date;
  reason: BuildReason;
  daily_cost: number;
  max_deadline: Date;
  template_version_preset_id: string | null;
  has_ai_task: boolean | null;
  has_external_agent: boolean | null;
  initiator_by_avatar_url: string;
  initiator_by_username: string;
  initiator_by_name: string;
}

/** GetWorkspaceBuildProvisionerStateByID: the state joined through to its template for authorization. */
export interface WorkspaceBuildProvisionerState {
  provisioner_state: Buffer | null;
  template_id: string;
  template_organization_id: string;
  user_acl: Record<string, string[]>;
  group_acl: Record<string, string[]>;
}

export interface BuildParameter {
  name: string;
  value: string;
}

/** The RBAC action that a build of this transition needs on its workspace (PR #21691). */
export function transitionAction(t: Transition): 'start' | 'stop' | 'delete' {
  return t;
}

/** Coder's codersdk.WorkspaceStatus, from the job's status and the build's transition. */
export function buildStatus(jobStatus: JobStatus, transition: Transition): string {
  switch (jobStatus) {
    case 'pending':
      return 'pending';
    case 'running':
      return transition === 'start' ? 'starting' : transition === 'stop' ? 'stopping' : 'deleting';
    case 'succeeded':
      return transition === 'start' ? 'running' : transition === 'stop' ? 'stopped' : 'deleted';
    case 'canceling':
      return 'canceling';
    case 'canceled':
      return 'canceled';
    case 'failed':
      return 'failed';
    default:
      return 'pending';
  }
}

export function buildJson(
  b: WorkspaceBuild,
  ctx: {
    workspaceName: string;
    ownerId: string;
    ownerName: string;
    templateVersionName: string;
    job: { status: JobStatus } & Record<string, unknown>;
    resources: unknown[];
  },
) {
  return {
    id: b.id,
    created_at: b.created_at.toISOString(),
    updated_at: b.updated_at.toISOString(),
    workspace_id: b.workspace_id,
    workspace_name: ctx.workspaceName,
    workspace_owner_id: ctx.ownerId,
    workspace_owner_name: ctx.ownerName,
    template_version_id: b.template_version_id,
    template_version_name: ctx.templateVersionName,
    build_number: b.build_number,
    transition: b.transition,
    initiator_id: b.initiator_id,
    initiator_name: b.initiator_by_username,
    job: ctx.job,
    reason: b.reason,
    resources: ctx.resources,
    deadline: isZeroTime(b.deadline) ? undefined : b.deadline.toISOString(),
    max_deadline: isZeroTime(b.max_deadline) ? undefined : b.max_deadline.toISOString(),
    status: buildStatus(ctx.job.status, b.transition),
    daily_cost: b.daily_cost,
    template_version_preset_id: b.template_version_preset_id,
    has_ai_task: b.has_ai_task ?? false,
    has_external_agent: b.has_external_agent ?? false,
  };
}
