import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockKeys, type Database, type Queryable } from './database.js';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  up: string;
  down: string;
}

/** Reads `NNNNNN_name.up.sql` / `.down.sql` pairs, in version order. */
export function readMigrations(dir = migrationsDir): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{6}_[a-z0-9_]+\.(up|down)\.sql$/.test(f));
  const byVersion = new Map<number, Partial<Migration>>();
  for (const f of files) {
    const [, num, name, kind] = /^(\d{6})_([a-z0-9_]+)\.(up|down)\.sql$/.exec(f)!;
    const version = Number(num);
    const m = byVersion.get(version) ?? { version, name };
    if (m.name !== name) throw new Error(`migration ${num} has two names: ${m.name} and ${name}`);
    m[kind as 'up' | 'down'] = readFileSync(join(dir, f), 'utf8');
    byVersion.set(version, m);
  }
  return [...byVersion.values()]
    .map((m) => {
      if (m.up === undefined || m.down === undefined) throw new Error(`migration ${m.version} lacks its up or down file`);
      return m as Migration;
    })
    .sort((a, b) => a.version - b.version);
}

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function applied(q: Queryable): Promise<number[]> {
  await q.query('CreateSchemaMigrations', VERSION_TABLE);
  const rows = await q.query<{ version: number }>('GetSchemaMigrations', 'SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((r) => r.version);
}

/**
 * Applies every pending migration, each in its own transaction, under an advisory lock so two
 * processes starting at once migrate one after the other. Returns the versions applied.
 */
export async function migrateUp(db: Database, migrations = readMigrations()): Promise<number[]> {
  return db.withAdvisoryLock(LockKeys.migrate, async (lockConn) => {
    const done = new Set(await applied(lockConn));
    const out: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await runInTx(db, lockConn, async (q) => {
        await q.exec(m.up);
        await q.query('InsertSchemaMigration', 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      });
      out.push(m.version);
    }
    return out;
  });
}

/** Reverts the newest `steps` migrations (all of them when steps is Infinity). */
export async function migrateDown(db: Database, steps = 1, migrations = readMigrations()): Promise<number[]> {
  return db.withAdvisoryLock(LockKeys.migrate, async (lockConn) => {
    const done = (await applied(lockConn)).reverse();
    const byVersion = new Map(migrations.map((m) => [m.version, m]));
    const out: number[] = [];
    for (const v of done.slice(0, steps)) {
      const m = byVersion.get(v);
      if (!m) throw new Error(`applied migration ${v} has no file`);
      await runInTx(db, lockConn, async (q) => {
        await q.exec(m.down);
        await q.query('DeleteSchemaMigration', 'DELETE FROM schema_migrations WHERE version = $1', [m.version]);
      });
      out.push(v);
    }
    return out;
  });
}

export async function migrationStatus(db: Database, migrations = readMigrations()) {
  const done = new Set(await applied(db));
  return migrations.map((m) => ({ version: m.version, name: m.name, applied: done.has(m.version) }));
}

/**
 * On PostgreSQL the lock connection runs the migration in a transaction of its own; PGlite has
 * one connection, whose transaction API is used instead.
 */
async function runInTx(db: Database, lockConn: Queryable, fn: (q: Queryable) => Promise<void>): Promise<void> {
  if (db.engine === 'pglite') return db.tx(fn);
  await lockConn.query('Begin', 'BEGIN');
  try {
    await fn(lockConn);
    await lockConn.query('Commit', 'COMMIT');
  } catch (err) {
    await lockConn.query('Rollback', 'ROLLBACK').catch(() => {});
    throw err;
  }
}
