import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUuid, scopeAllows, type Database, type Principal, type TokenCheck } from '../../db/index.js';
import { HttpError } from '../../errors.js';
import { extractSessionToken, sendJson, type Router } from '../../server/index.js';
import { parseInterceptionQuery } from './filter.js';
import { listInterceptions } from './queries.js';

/**
 * The caller, from the session token as the control plane reads it (Coder-Session-Token, the
 * coder_session_token cookie, or a bearer token): 401 without one or with one that is not valid.
 */
async function authenticate(req: IncomingMessage, tokenCheck: TokenCheck): Promise<Principal> {
  const token = extractSessionToken(req.headers);
  if (!token) throw new HttpError(401, 'You must be logged in to access this resource.', 'No session token (Coder-Session-Token header, coder_session_token cookie, or Authorization: Bearer).');
  let p: Principal | undefined;
  try {
    p = await tokenCheck(token);
  } catch {
    throw new HttpError(503, 'Could not verify the session token.');
  }
  if (!p) throw new HttpError(401, 'The session token is invalid or expired.');
  return p;
}

/** Site roles that may read every user's interceptions. */
const SEE_ALL_ROLES = ['owner', 'auditor'];

function intParam(v: string | null, field: string, def: number, min: number, max: number): number {
  if (v === null || v === '') return def;
  if (!/^\d+$/.test(v)) throw new HttpError(400, 'Invalid query parameters.', undefined, [{ field, detail: `"${field}" must be a whole number.` }]);
  const n = Number(v);
  if (n < min || n > max) throw new HttpError(400, 'Invalid query parameters.', undefined, [{ field, detail: `"${field}" must be between ${min} and ${max}.` }]);
  return n;
}

/**
 * The bridge's control-plane routes: the interceptions list (Coder's
 * `GET /api/v2/aibridge/interceptions`) and the proxy CA certificate download.
 */
export function registerApiRoutes(router: Router, deps: { db: Database; tokenCheck: TokenCheck; caCertPem?: string }): void {
  router.get('/api/v2/aibridge/interceptions', async (req: IncomingMessage, res: ServerResponse) => {
    const principal = await authenticate(req, deps.tokenCheck);
    if (!scopeAllows(principal.scopes, 'aibridge_interception', 'read')) throw new HttpError(403, 'Forbidden.', "The token's scopes do not allow reading interceptions.");
    const url = new URL(req.url ?? '/', 'http://x');
    const { filter, problems } = parseInterceptionQuery(url.searchParams.get('q') ?? '');
    if (problems.length) throw new HttpError(400, 'Invalid query parameters.', undefined, problems);
    const limit = intParam(url.searchParams.get('limit'), 'limit', 100, 1, 1000);
    const offset = intParam(url.searchParams.get('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const afterId = url.searchParams.get('after_id') || undefined;
    if (afterId !== undefined) {
      if (!isUuid(afterId)) throw new HttpError(400, 'Invalid query parameters.', undefined, [{ field: 'after_id', detail: '"after_id" must be a UUID.' }]);
      if (offset > 0) throw new HttpError(400, 'Query parameters have invalid values.', 'Cannot use both after_id and offset pagination in the same request.');
    }
    const onlyOwn = !principal.roles.some((r) => SEE_ALL_ROLES.includes(r));
    const out = await listInterceptions(deps.db, { filter, me: principal.userId, onlyOwn, limit, offset, afterId });
    sendJson(res, 200, out);
  });

  router.get('/api/v2/aibridge/proxy/ca-cert.pem', async (req: IncomingMessage, res: ServerResponse) => {
    const principal = await authenticate(req, deps.tokenCheck);
    if (!scopeAllows(principal.scopes, 'aibridge_interception', 'create')) throw new HttpError(403, 'Forbidden.', "The token's scopes do not allow AI Bridge requests.");
    if (deps.caCertPem === undefined) throw new HttpError(404, 'The AI Bridge proxy is not enabled.');
    const data = Buffer.from(deps.caCertPem);
    res.writeHead(200, { 'content-type': 'application/x-pem-file', 'content-length': data.length, 'content-disposition': 'attachment; filename="ca-cert.pem"' });
    res.end(data);
  });
}
