DROP TABLE IF EXISTS task_snapshots;
DROP TABLE IF EXISTS task_workspace_apps;
DROP TABLE IF EXISTS tasks;
