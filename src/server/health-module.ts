import type { Database } from '../db/index.js';
import type { TokenCheck } from '../db/queries/api-keys.js';
import { HttpError } from '../errors.js';
import type { ApiModule } from './api-server.js';
import { runHealthChecks, type HealthCheck } from './health.js';
import { sendJson } from './respond.js';
import { extractSessionToken } from './session-token.js';

/**
 * `/healthz` answers as soon as the process serves; `/api/v2/debug/health` runs the checks
 * (database round trip and any others given) under a timeout and, when it times out, says which
 * checks were done and which were still running. The report names internal failures, so, as
 * Coder's, it is for owners only.
 */
export function healthModule(db: Database | undefined, tokenCheck: TokenCheck, extra: HealthCheck[] = [], timeoutMs = 10_000): ApiModule {
  const checks: HealthCheck[] = [...(db ? [{ name: 'Database', run: () => db.ping() }] : []), ...extra];
  return {
    name: 'health',
    register(router) {
      router.get('/healthz', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      });
      router.get('/api/v2/debug/health', async (req, res) => {
        const token = extractSessionToken(req.headers);
        const principal = token ? await tokenCheck(token) : undefined;
        if (!principal) throw new HttpError(401, 'You must be logged in to use this endpoint.');
        if (!principal.roles.includes('owner')) throw new HttpError(403, 'Forbidden.', 'The health report is for owners.');
        const report = await runHealthChecks(checks, timeoutMs);
        sendJson(res, report.healthy ? 200 : 503, report);
      });
    },
  };
}
