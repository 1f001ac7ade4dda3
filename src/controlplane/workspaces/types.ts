import type { WorkspaceAcl } from '../rbac/index.js';

export interface Workspace {
  id: string;
  created_at: Date;
  updated_at: Date;
  owner_id: string;
  organization_id: string;
  template_id: string;
  deleted: boolean;
  name: string;
  autostart_schedule: string | null;
  /** Nanoseconds. */
  ttl: number | null;
  last_used_at: Date;
  dormant_at: Date | null;
  deleting_at: Date | null;
  next_start_at: Date | null;
  group_acl: WorkspaceAcl;
  user_acl: WorkspaceAcl;
  // Joined (Coder's workspaces_expanded).
  owner_username: string;
  owner_name: string;
  owner_avatar_url: string;
  organization_name: string;
  template_name: string;
  template_display_name: string;
  template_icon: string;
  template_active_version_id: string;
  template_require_active_version: boolean;
  template_allow_user_cancel_workspace_jobs: boolean;
}

/** Zero time (Go's time.Time{}), Coder's "unset" for deadlines. */
export const ZeroTime = new Date('0001-01-01T00:00:00Z');

/** Whether a timestamp is unset: null or the zero time. */
export function isZeroTime(d: Date | null | undefined): boolean {
  return !d || d.getTime() <= ZeroTime.getTime();
}

export function workspaceJson(w: Workspace, latestBuild: unknown, outdated: boolean) {
  return {
    id: w.id,
    created_at: w.created_at.toISOString(),
    updated_at: w.updated_at.toISOString(),
    owner_id: w.owner_id,
    owner_name: w.owner_username,
    owner_avatar_url: w.owner_avatar_url,
    organization_id: w.organization_id,
    organization_name: w.organization_name,
    template_id: w.template_id,
    template_name: w.template_name,
    template_display_name: w.template_display_name,
    template_icon: w.template_icon,
    template_allow_user_cancel_workspace_jobs: w.template_allow_user_cancel_workspace_jobs,
    template_active_version_id: w.template_active_version_id,
    template_require_active_version: w.template_require_active_version,
    latest_build: latestBuild,
    outdated,
    name: w.name,
    autostart_schedule: w.autostart_schedule ?? undefined,
    ttl_ms: w.ttl != null ? Math.floor(w.ttl / 1_000_000) : undefined,
    last_used_at: w.last_used_at.toISOString(),
    deleting_at: w.deleting_at?.toISOString() ?? null,
    dormant_at: w.dormant_at?.toISOString() ?? null,
    health: { healthy: true, failing_agents: [] },
    automatic_updates: 'never',
    allow_renames: false,
    favorite: false,
    next_start_at: w.next_start_at?.toISOString() ?? null,
    is_prebuild: false,
  };
}
