import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrateUp, openPglite, openPostgres, type Database } from '../../src/db/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

export interface Engine {
  name: 'pglite' | 'postgres';
  /** A fresh, empty database: PGlite in memory, or a new schema on the real server. */
  open(opts?: { migrate?: boolean }): Promise<Database>;
}

/** The real PostgreSQL URL when reachable this run, else ''. */
export function pgUrl(): string {
  return inject('pgUrl');
}

/** Creates a schema of its own for one test database; dropped by the returned database's close(). */
export async function openTestPostgres(maxOpen = 10, maxIdle = 3): Promise<Database & { schema: string; url: string }> {
  const url = pgUrl();
  const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const db = await openPostgres({ url, maxOpen, maxIdle, schema, applicationName: schema });
  const close = db.close;
  return Object.assign(db, {
    schema,
    url,
    async close() {
      await close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
    },
  });
}

/**
 * The engines every DB test runs on: PGlite always, PostgreSQL when reachable. Use with
 * `describe.each(engines())('... on $name', (engine) => …)`.
 */
export function engines(): Engine[] {
  const list: Engine[] = [
    {
      name: 'pglite',
      async open(opts) {
        const db = await openPglite();
        if (opts?.migrate !== false) await migrateUp(db);
        return db;
      },
    },
  ];
  if (pgUrl()) {
    list.push({
      name: 'postgres',
      async open(opts) {
        const db = await openTestPostgres();
        if (opts?.migrate !== false) await migrateUp(db);
        return db;
      },
    });
  }
  return list;
}
