import pg from 'pg';

/**
 * Decides once per run whether the real PostgreSQL at TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test) answers; DB tests then run on it as well as on PGlite.
 */
export default async function setup({ provide }: { provide: (k: string, v: unknown) => void }) {
  const url = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  let reachable = false;
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    reachable = true;
  } catch {
    reachable = false;
  } finally {
    await c.end().catch(() => {});
  }
  if (!reachable) console.warn(`PostgreSQL at ${url} is not reachable: DB tests run on PGlite only`);
  if (!reachable && process.env.CI && process.env.AIBRIDGE_REQUIRE_PG) throw new Error('PostgreSQL required but not reachable');
  provide('pgUrl', reachable ? url : '');
}
