-- Control plane core: roles, licenses, files, templates, provisioner jobs, workspaces, builds.
-- Names, enums and column shapes follow coder/coder's dump.sql (see reference §1).

CREATE TYPE workspace_transition AS ENUM ('start', 'stop', 'delete');
CREATE TYPE build_reason AS ENUM (
  'initiator', 'autostart', 'autostop', 'dormancy', 'failedstop', 'autodelete',
  'dashboard', 'cli', 'ssh_connection', 'vscode_connection', 'jetbrains_connection',
  'task_auto_pause', 'task_manual_pause', 'task_resume'
);
CREATE TYPE provisioner_job_status AS ENUM ('pending', 'running', 'succeeded', 'canceling', 'canceled', 'failed', 'unknown');
CREATE TYPE provisioner_job_type AS ENUM ('template_version_import', 'workspace_build', 'template_version_dry_run');
CREATE TYPE provisioner_storage_method AS ENUM ('file');
CREATE TYPE provisioner_type AS ENUM ('echo', 'terraform');
CREATE TYPE app_sharing_level AS ENUM ('owner', 'authenticated', 'organization', 'public');
CREATE TYPE workspace_agent_lifecycle_state AS ENUM (
  'created', 'starting', 'start_timeout', 'start_error', 'ready',
  'shutting_down', 'shutdown_timeout', 'shutdown_error', 'off'
);
CREATE TYPE agent_key_scope_enum AS ENUM ('all', 'no_user_data');
CREATE TYPE workspace_app_health AS ENUM ('disabled', 'initializing', 'healthy', 'unhealthy');

-- Custom and system roles. The per-organization system role "organization-member"
-- (is_system = true) carries what every member of that organization may do; the
-- workspace-sharing switch edits it.
CREATE TABLE custom_roles (
  name text NOT NULL,
  display_name text NOT NULL,
  site_permissions jsonb NOT NULL DEFAULT '[]',
  org_permissions jsonb NOT NULL DEFAULT '[]',
  user_permissions jsonb NOT NULL DEFAULT '[]',
  member_permissions jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  is_system boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX idx_custom_roles_name_lower_organization_id
  ON custom_roles (lower(name), COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid));

CREATE TABLE licenses (
  id serial PRIMARY KEY,
  uploaded_at timestamptz NOT NULL,
  jwt text NOT NULL UNIQUE,
  exp timestamptz NOT NULL,
  uuid uuid NOT NULL
);

CREATE TABLE files (
  hash varchar(64) NOT NULL,
  created_at timestamptz NOT NULL,
  created_by uuid NOT NULL,
  mimetype varchar(64) NOT NULL,
  data bytea NOT NULL,
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  CONSTRAINT files_hash_created_by_key UNIQUE (hash, created_by)
);

CREATE TABLE templates (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  deleted boolean NOT NULL DEFAULT false,
  name varchar(64) NOT NULL,
  provisioner provisioner_type NOT NULL,
  active_version_id uuid NOT NULL,
  description varchar(128) NOT NULL DEFAULT '',
  default_ttl bigint NOT NULL DEFAULT 604800000000000,
  created_by uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  icon varchar(256) NOT NULL DEFAULT '',
  user_acl jsonb NOT NULL DEFAULT '{}',
  group_acl jsonb NOT NULL DEFAULT '{}',
  display_name varchar(64) NOT NULL DEFAULT '',
  allow_user_cancel_workspace_jobs boolean NOT NULL DEFAULT true,
  allow_user_autostart boolean NOT NULL DEFAULT true,
  allow_user_autostop boolean NOT NULL DEFAULT true,
  failure_ttl bigint NOT NULL DEFAULT 0,
  time_til_dormant bigint NOT NULL DEFAULT 0,
  time_til_dormant_autodelete bigint NOT NULL DEFAULT 0,
  require_active_version boolean NOT NULL DEFAULT false,
  deprecated text NOT NULL DEFAULT '',
  activity_bump bigint NOT NULL DEFAULT 3600000000000,
  max_port_sharing_level app_sharing_level NOT NULL DEFAULT 'owner',
  disable_module_cache boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX templates_organization_id_name_idx ON templates (organization_id, lower(name)) WHERE deleted = false;

CREATE TABLE template_versions (
  id uuid PRIMARY KEY,
  template_id uuid REFERENCES templates (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  name varchar(64) NOT NULL,
  readme varchar(1048576) NOT NULL DEFAULT '',
  job_id uuid NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  message varchar(1048576) NOT NULL DEFAULT '',
  archived boolean NOT NULL DEFAULT false,
  has_ai_task boolean,
  has_external_agent boolean,
  UNIQUE (template_id, name)
);

CREATE TABLE template_version_parameters (
  template_version_id uuid NOT NULL REFERENCES template_versions (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  type text NOT NULL DEFAULT 'string',
  mutable boolean NOT NULL DEFAULT true,
  default_value text NOT NULL DEFAULT '',
  required boolean NOT NULL DEFAULT false,
  display_order integer NOT NULL DEFAULT 0,
  UNIQUE (template_version_id, name)
);

CREATE TABLE provisioner_jobs (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  started_at timestamptz,
  canceled_at timestamptz,
  completed_at timestamptz,
  error text,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  initiator_id uuid NOT NULL,
  provisioner provisioner_type NOT NULL,
  storage_method provisioner_storage_method NOT NULL,
  type provisioner_job_type NOT NULL,
  input jsonb NOT NULL,
  worker_id uuid,
  file_id uuid NOT NULL,
  tags jsonb NOT NULL DEFAULT '{"scope": "organization"}',
  error_code text,
  job_status provisioner_job_status GENERATED ALWAYS AS (
    CASE
      WHEN completed_at IS NOT NULL THEN
        CASE
          WHEN error <> '' THEN 'failed'::provisioner_job_status
          WHEN canceled_at IS NOT NULL THEN 'canceled'::provisioner_job_status
          ELSE 'succeeded'::provisioner_job_status
        END
      ELSE
        CASE
          WHEN error <> '' THEN 'failed'::provisioner_job_status
          WHEN canceled_at IS NOT NULL THEN 'canceling'::provisioner_job_status
          WHEN started_at IS NULL THEN 'pending'::provisioner_job_status
          ELSE 'running'::provisioner_job_status
        END
    END
  ) STORED NOT NULL,
  logs_length integer NOT NULL DEFAULT 0 CONSTRAINT max_provisioner_logs_length CHECK (logs_length <= 1048576),
  logs_overflowed boolean NOT NULL DEFAULT false
);
CREATE INDEX idx_provisioner_jobs_status ON provisioner_jobs (job_status);

CREATE TABLE workspaces (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
  template_id uuid NOT NULL REFERENCES templates (id) ON DELETE RESTRICT,
  deleted boolean NOT NULL DEFAULT false,
  name varchar(64) NOT NULL,
  autostart_schedule text,
  ttl bigint,
  last_used_at timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00+00',
  dormant_at timestamptz,
  deleting_at timestamptz,
  next_start_at timestamptz,
  group_acl jsonb NOT NULL DEFAULT '{}',
  user_acl jsonb NOT NULL DEFAULT '{}',
  CONSTRAINT group_acl_is_object CHECK (jsonb_typeof(group_acl) = 'object'),
  CONSTRAINT user_acl_is_object CHECK (jsonb_typeof(user_acl) = 'object')
);
CREATE UNIQUE INDEX workspaces_owner_id_lower_idx ON workspaces (owner_id, lower(name)) WHERE deleted = false;
CREATE INDEX workspaces_template_id_idx ON workspaces (template_id) WHERE deleted = false;
CREATE INDEX workspaces_organization_id_idx ON workspaces (organization_id) WHERE deleted = false;

CREATE TABLE workspace_builds (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  template_version_id uuid NOT NULL REFERENCES template_versions (id) ON DELETE CASCADE,
  build_number integer NOT NULL,
  transition workspace_transition NOT NULL,
  initiator_id uuid NOT NULL,
  provisioner_state bytea,
  job_id uuid NOT NULL UNIQUE REFERENCES provisioner_jobs (id) ON DELETE CASCADE,
  deadline timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00+00',
  reason build_reason NOT NULL DEFAULT 'initiator',
  daily_cost integer NOT NULL DEFAULT 0,
  max_deadline timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00+00',
  template_version_preset_id uuid,
  has_ai_task boolean,
  has_external_agent boolean,
  UNIQUE (workspace_id, build_number),
  CONSTRAINT workspace_builds_deadline_below_max_deadline CHECK (
    (deadline <> '0001-01-01 00:00:00+00' AND deadline <= max_deadline) OR max_deadline = '0001-01-01 00:00:00+00'
  )
);

CREATE TABLE workspace_build_parameters (
  workspace_build_id uuid NOT NULL REFERENCES workspace_builds (id) ON DELETE CASCADE,
  name text NOT NULL,
  value text NOT NULL,
  UNIQUE (workspace_build_id, name)
);

-- Without provisioner_state (coder/coder PR #22159): the state is megabytes and sensitive;
-- the few callers that need it use GetWorkspaceBuildProvisionerStateByID.
CREATE VIEW workspace_build_with_user AS
SELECT wb.id, wb.created_at, wb.updated_at, wb.workspace_id, wb.template_version_id, wb.build_number,
       wb.transition, wb.initiator_id, wb.job_id, wb.deadline, wb.reason, wb.daily_cost, wb.max_deadline,
       wb.template_version_preset_id, wb.has_ai_task, wb.has_external_agent,
       COALESCE(vu.avatar_url, '') AS initiator_by_avatar_url,
       COALESCE(vu.username, '') AS initiator_by_username,
       COALESCE(vu.name, '') AS initiator_by_name
FROM workspace_builds wb LEFT JOIN visible_users vu ON wb.initiator_id = vu.id;
COMMENT ON VIEW workspace_build_with_user IS 'Joins in the username + avatar url of the initiated by user.';

CREATE TABLE workspace_resources (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  job_id uuid NOT NULL REFERENCES provisioner_jobs (id) ON DELETE CASCADE,
  transition workspace_transition NOT NULL,
  type varchar(192) NOT NULL,
  name varchar(64) NOT NULL,
  hide boolean NOT NULL DEFAULT false,
  icon varchar(256) NOT NULL DEFAULT '',
  daily_cost integer NOT NULL DEFAULT 0,
  module_path text
);
CREATE INDEX workspace_resources_job_id_idx ON workspace_resources (job_id);

CREATE TABLE workspace_agents (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  name varchar(64) NOT NULL,
  resource_id uuid NOT NULL REFERENCES workspace_resources (id) ON DELETE CASCADE,
  auth_token uuid NOT NULL,
  auth_instance_id varchar,
  architecture varchar(64) NOT NULL,
  operating_system varchar(64) NOT NULL,
  lifecycle_state workspace_agent_lifecycle_state NOT NULL DEFAULT 'created',
  parent_id uuid REFERENCES workspace_agents (id) ON DELETE CASCADE,
  api_key_scope agent_key_scope_enum NOT NULL DEFAULT 'all',
  deleted boolean NOT NULL DEFAULT false,
  first_connected_at timestamptz,
  last_connected_at timestamptz,
  disconnected_at timestamptz,
  started_at timestamptz,
  ready_at timestamptz
);
CREATE INDEX workspace_agents_auth_token_idx ON workspace_agents (auth_token);
CREATE INDEX workspace_agents_resource_id_idx ON workspace_agents (resource_id);

CREATE TABLE workspace_apps (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  agent_id uuid NOT NULL REFERENCES workspace_agents (id) ON DELETE CASCADE,
  slug text NOT NULL,
  display_name varchar(64) NOT NULL,
  url varchar(65534),
  health workspace_app_health NOT NULL DEFAULT 'disabled',
  sharing_level app_sharing_level NOT NULL DEFAULT 'owner',
  UNIQUE (agent_id, slug)
);
