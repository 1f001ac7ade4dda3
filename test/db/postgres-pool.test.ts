import { describe, expect, it } from 'vitest';
import { pgUrl, openTestPostgres } from '../helpers/db.js';
import { effectiveMaxIdle, loadConfig } from '../../src/config/index.js';

// The idle cap is a property of the pg pool; PGlite has one connection. Runs when PostgreSQL is reachable (it is in CI).
describe.runIf(pgUrl())('PostgreSQL pool limits', () => {
  it.each([
    ['auto', 2],
    ['0', 0],
    ['4', 4],
  ])('with max open 6 and max idle %s keeps %i connections after a burst', async (idleSetting, wantIdle) => {
    const { config } = loadConfig({ env: { CODER_PG_CONN_MAX_OPEN: '6', CODER_PG_CONN_MAX_IDLE: idleSetting } });
    const db = await openTestPostgres(config.pg.connMaxOpen, effectiveMaxIdle(config.pg));
    try {
      expect(db.pool).toEqual({ maxOpen: 6, maxIdle: wantIdle });
      const peak = await Promise.all(
        Array.from({ length: 12 }, () =>
          db.query<{ n: number }>('CountBackends', 'SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = $1)::int8 AS n, pg_sleep(0.1)', [db.schema]),
        ),
      );
      expect(Math.max(...peak.map((r) => r[0].n))).toBe(6);
      // After the burst: the idle ones kept, plus the one running this query (unless it was already counted as idle).
      const after = await db.query<{ n: number }>(
        'CountBackends',
        'SELECT count(*)::int8 AS n FROM pg_stat_activity WHERE application_name = $1',
        [db.schema],
      );
      expect(after[0].n).toBe(Math.max(wantIdle, 1));
    } finally {
      await db.close();
    }
  });
});
