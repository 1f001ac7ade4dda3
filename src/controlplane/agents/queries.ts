import type { Queryable } from '../../db/index.js';
import type { WorkspaceBuild } from '../builds/types.js';
import { isUuid } from '../ids.js';

/** The columns of workspace_agents that agent authentication needs (never the token). */
export interface AuthenticatedAgent {
  id: string;
  name: string;
  resource_id: string;
  parent_id: string | null;
  api_key_scope: 'all' | 'no_user_data';
  lifecycle_state: string;
  architecture: string;
  operating_system: string;
}

/** GetAuthenticatedWorkspaceAgentAndBuildByAuthToken: the agent, its workspace, the build it authenticates as, and the task. */
export interface AuthenticatedAgentRow {
  agent: AuthenticatedAgent;
  workspace: { id: string; name: string; owner_id: string; organization_id: string; template_id: string; owner_username: string };
  build: WorkspaceBuild;
  task_id: string | null;
}

// Coder's queries/workspaceagents.sql (PR #21538): the agent of the latest build, or the agent
// of start build n whose job succeeded while build n+1 — the latest — is a stop still pending
// or running (so the agent can report during shutdown). Deleted workspaces and agents never match.
const SQL = `
SELECT
  to_jsonb(wa.*) - 'auth_token' AS agent,
  jsonb_build_object('id', w.id, 'name', w.name, 'owner_id', w.owner_id, 'organization_id', w.organization_id,
                     'template_id', w.template_id, 'owner_username', u.username) AS workspace,
  t.id AS task_id,
  b.*
FROM workspace_agents wa
JOIN workspace_resources r ON r.id = wa.resource_id
JOIN workspace_build_with_user b ON b.job_id = r.job_id
JOIN workspaces w ON w.id = b.workspace_id
JOIN users u ON u.id = w.owner_id
LEFT JOIN tasks t ON t.workspace_id = w.id
WHERE wa.auth_token = $1
  AND w.deleted = FALSE
  AND wa.deleted = FALSE
  AND CASE
    WHEN b.build_number = (SELECT MAX(mb.build_number) FROM workspace_builds mb WHERE mb.workspace_id = w.id) THEN TRUE
    WHEN b.transition = 'start'
      AND (SELECT pj.job_status FROM provisioner_jobs pj WHERE pj.id = b.job_id) = 'succeeded'
      AND EXISTS (
        SELECT 1 FROM workspace_builds l
        JOIN provisioner_jobs lj ON lj.id = l.job_id
        WHERE l.workspace_id = w.id
          AND l.build_number = b.build_number + 1
          AND l.build_number = (SELECT MAX(mb.build_number) FROM workspace_builds mb WHERE mb.workspace_id = w.id)
          AND l.transition = 'stop'
          AND lj.job_status IN ('pending', 'running')
      ) THEN TRUE
    ELSE FALSE
  END
`;

export async function getAuthenticatedWorkspaceAgentAndBuildByAuthToken(q: Queryable, token: string): Promise<AuthenticatedAgentRow | undefined> {
  if (!isUuid(token)) return undefined;
  const rows = await q.query<WorkspaceBuild & { agent: AuthenticatedAgent; workspace: AuthenticatedAgentRow['workspace']; task_id: string | null }>(
    'GetAuthenticatedWorkspaceAgentAndBuildByAuthToken',
    SQL,
    [token],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { agent, workspace, task_id, ...build } = row;
  return { agent, workspace, build, task_id };
}
