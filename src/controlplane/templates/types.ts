import type { TemplateAcl } from '../rbac/index.js';

export type ProvisionerType = 'echo' | 'terraform';

export interface Template {
  id: string;
  created_at: Date;
  updated_at: Date;
  organization_id: string;
  deleted: boolean;
  name: string;
  provisioner: ProvisionerType;
  active_version_id: string;
  description: string;
  /** Nanoseconds, as Coder stores it. */
  default_ttl: number;
  created_by: string;
  icon: string;
  user_acl: TemplateAcl;
  group_acl: TemplateAcl;
  display_name: string;
  allow_user_cancel_workspace_jobs: boolean;
  allow_user_autostart: boolean;
  allow_user_autostop: boolean;
  failure_ttl: number;
  time_til_dormant: number;
  time_til_dormant_autodelete: number;
  require_active_version: boolean;
  deprecated: string;
  /** Nanoseconds. */
  activity_bump: number;
  max_port_sharing_level: string;
  disable_module_cache: boolean;
  // Joined.
  organization_name: string;
  organization_display_name: string;
  organization_icon: string;
  created_by_username: string;
}

export interface TemplateVersion {
  id: string;
  template_id: string | null;
  organization_id: string;
  created_at: Date;
  updated_at: Date;
  name: string;
  readme: string;
  job_id: string;
  created_by: string;
  message: string;
  archived: boolean;
  has_ai_task: boolean | null;
  has_external_agent: boolean | null;
  // Joined.
  created_by_username: string;
  created_by_name: string;
  created_by_avatar_url: string;
}

export interface TemplateVersionParameter {
  template_version_id: string;
  name: string;
  description: string;
  type: string;
  mutable: boolean;
  default_value: string;
  required: boolean;
  display_order: number;
}

const NS_PER_MS = 1_000_000;

export function templateJson(t: Template, activeUserCount = 0) {
  return {
    id: t.id,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
    organization_id: t.organization_id,
    organization_name: t.organization_name,
    organization_display_name: t.organization_display_name,
    organization_icon: t.organization_icon,
    name: t.name,
    display_name: t.display_name,
    provisioner: t.provisioner,
    active_version_id: t.active_version_id,
    active_user_count: activeUserCount,
    build_time_stats: { start: {}, stop: {}, delete: {} },
    description: t.description,
    deprecated: t.deprecated !== '',
    deprecation_message: t.deprecated,
    icon: t.icon,
    default_ttl_ms: Math.floor(t.default_ttl / NS_PER_MS),
    activity_bump_ms: Math.floor(t.activity_bump / NS_PER_MS),
    autostop_requirement: { days_of_week: [], weeks: 1 },
    autostart_requirement: { days_of_week: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] },
    created_by_id: t.created_by,
    created_by_name: t.created_by_username,
    allow_user_autostart: t.allow_user_autostart,
    allow_user_autostop: t.allow_user_autostop,
    allow_user_cancel_workspace_jobs: t.allow_user_cancel_workspace_jobs,
    failure_ttl_ms: Math.floor(t.failure_ttl / NS_PER_MS),
    time_til_dormant_ms: Math.floor(t.time_til_dormant / NS_PER_MS),
    time_til_dormant_autodelete_ms: Math.floor(t.time_til_dormant_autodelete / NS_PER_MS),
    require_active_version: t.require_active_version,
    max_port_share_level: t.max_port_sharing_level,
    use_classic_parameter_flow: false,
  };
}

export function templateVersionJson(v: TemplateVersion, job: unknown) {
  return {
    id: v.id,
    template_id: v.template_id ?? undefined,
    organization_id: v.organization_id,
    created_at: v.created_at.toISOString(),
    updated_at: v.updated_at.toISOString(),
    name: v.name,
    message: v.message,
    job,
    readme: v.readme,
    created_by: { id: v.created_by, username: v.created_by_username, name: v.created_by_name, avatar_url: v.created_by_avatar_url },
    archived: v.archived,
    warnings: [],
    has_external_agent: v.has_external_agent ?? false,
  };
}

export function templateVersionParameterJson(p: TemplateVersionParameter) {
  return {
    name: p.name,
    description: p.description,
    type: p.type,
    mutable: p.mutable,
    default_value: p.default_value,
    required: p.required,
    options: [],
    ephemeral: false,
  };
}
