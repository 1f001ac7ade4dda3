import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import type { ControlPlaneContext } from '../deps.js';
import { toHttpError } from '../httpapi/route.js';
import { createAgentAuthenticator, type AgentContext } from './auth.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, Params } from '../../server/router.js';

export type AgentHandler = (agent: AgentContext, req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => Promise<void>;

/** Wraps a handler of the agent API: agent-token authentication first, data-layer errors as HTTP errors. */
export function agentRoute(cp: ControlPlaneContext): (h: AgentHandler) => Handler {
  const authenticate = createAgentAuthenticator(cp.db);
  return (h) => async (req, res, params) => {
    const agent = await authenticate(req);
    try {
      await h(agent, req, res, params, new URL(req.url ?? '/', 'http://localhost'));
    } catch (err) {
      throw toHttpError(err);
    }
  };
}

/**
 * The agent's own endpoints. The manifest names the agent, its workspace and the build the token
 * authenticated as (`workspace_build_id`/`workspace_build_number` are additions to Coder's
 * manifest: during a pending or running stop they name the start build, not the latest).
 */
export function registerAgentRoutes(router: Router, cp: ControlPlaneContext): void {
  const agentAuthed = agentRoute(cp);
  router.get(
    '/api/v2/workspaceagents/me/manifest',
    agentAuthed(async (a, _req, res) => {
      sendJson(res, 200, {
        agent_id: a.agent.id,
        agent_name: a.agent.name,
        owner_name: a.workspace.owner_username,
        workspace_id: a.workspace.id,
        workspace_name: a.workspace.name,
        workspace_build_id: a.build.id,
        workspace_build_number: a.build.build_number,
        template_version_id: a.build.template_version_id,
        task_id: a.task_id,
      });
    }),
  );
}
