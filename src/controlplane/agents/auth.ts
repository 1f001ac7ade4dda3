import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../errors.js';
import type { Queryable } from '../../db/index.js';
import { extractSessionToken } from '../../server/session-token.js';
import { isUuid } from '../ids.js';
import { getAuthenticatedWorkspaceAgentAndBuildByAuthToken, type AuthenticatedAgentRow } from './queries.js';

/** What an agent-authenticated request knows: the agent and the build it authenticated as. */
export type AgentContext = AuthenticatedAgentRow;

export const AgentNotAuthorizedDetail =
  'The agent cannot authenticate until the workspace provision job has been completed. If the job is no longer running, this agent is invalid.';

/**
 * Coder's ExtractWorkspaceAgentAndLatestBuild: the agent token (a UUID) from the session-token
 * header or cookie, looked up with GetAuthenticatedWorkspaceAgentAndBuildByAuthToken. The build
 * in the context is the *returned* one — during a pending or running stop it is the start build.
 */
export function createAgentAuthenticator(q: Queryable): (req: IncomingMessage) => Promise<AgentContext> {
  return async (req) => {
    const token = extractSessionToken(req.headers);
    if (!token) throw new HttpError(401, 'Cookie "coder_session_token" must be provided.');
    if (!isUuid(token)) throw new HttpError(401, 'Workspace agent token invalid.');
    let row: AgentContext | undefined;
    try {
      row = await getAuthenticatedWorkspaceAgentAndBuildByAuthToken(q, token);
    } catch (err) {
      throw new HttpError(500, 'Internal error checking workspace agent authorization.', (err as Error).message);
    }
    if (!row) throw new HttpError(401, 'Workspace agent not authorized.', AgentNotAuthorizedDetail);
    return row;
  };
}

