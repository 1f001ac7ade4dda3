import type { Database } from '../db/index.js';
import type { ApiModule } from './api-server.js';
import { runHealthChecks, type HealthCheck } from './health.js';
import { sendJson } from './respond.js';

/**
 * `/healthz` answers as soon as the process serves; `/api/v2/debug/health` runs the checks
 * (database round trip and any others given) under a timeout and, when it times out, says which
 * checks were done and which were still running.
 */
export function healthModule(db: Database | undefined, extra: HealthCheck[] = [], timeoutMs = 10_000): ApiModule {
  const checks: HealthCheck[] = [...(db ? [{ name: 'Database', run: () => db.ping() }] : []), ...extra];
  return {
    name: 'health',
    register(router) {
      router.get('/healthz', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      });
      router.get('/api/v2/debug/health', async (_req, res) => {
        const report = await runHealthChecks(checks, timeoutMs);
        sendJson(res, report.healthy ? 200 : 503, report);
      });
    },
  };
}
