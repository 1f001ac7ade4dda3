-- Tasks and their log snapshots (reference §1.5). The three task build_reason values
-- (task_auto_pause, task_manual_pause, task_resume) are already in 000003's enum.

CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
  template_version_id uuid NOT NULL REFERENCES template_versions (id) ON DELETE CASCADE,
  template_parameters jsonb NOT NULL DEFAULT '{}',
  prompt text NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz,
  display_name varchar(127) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tasks_owner_id_name_unique_idx ON tasks (owner_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX tasks_workspace_id_idx ON tasks (workspace_id);

CREATE TABLE task_workspace_apps (
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  workspace_agent_id uuid REFERENCES workspace_agents (id) ON DELETE CASCADE,
  workspace_app_id uuid REFERENCES workspace_apps (id) ON DELETE CASCADE,
  workspace_build_number integer NOT NULL,
  PRIMARY KEY (task_id, workspace_build_number)
);

CREATE TABLE task_snapshots (
  task_id uuid NOT NULL PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  log_snapshot jsonb NOT NULL,
  log_snapshot_created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE task_snapshots IS 'Stores snapshots of task state when paused, currently limited to conversation history.';
