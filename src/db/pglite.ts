import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types as pgliteTypes, type Transaction } from '@electric-sql/pglite';
import parseDate from 'postgres-date';
import { DataDirLockedError } from '../errors.js';
import type { Database, Queryable } from './database.js';
import { observeQuery } from './metrics.js';

/**
 * PGlite parses timestamps with `new Date(text)`, which reads Coder's zero time
 * '0001-01-01 00:00:00+00' as 2001; postgres-date (what `pg` uses) parses them as PostgreSQL
 * writes them, so both engines return the same instants.
 */
const parseTimestamp = (v: string) => parseDate(v) as Date;

const parsers = {
  [pgliteTypes.TIMESTAMPTZ]: parseTimestamp,
  [pgliteTypes.TIMESTAMP]: parseTimestamp,
  [pgliteTypes.INT8]: (v: string) => Number(v),
  [pgliteTypes.NUMERIC]: (v: string) => Number(v),
  [pgliteTypes.BYTEA]: (v: string) => Buffer.from(v.slice(2), 'hex'),
};

type Conn = PGlite | Transaction;

function bind(conn: Conn): Queryable {
  return {
    async query<R>(name: string, text: string, params?: unknown[]) {
      const t0 = performance.now();
      try {
        const res = await conn.query<R>(text, params as unknown[], { parsers });
        return res.rows;
      } finally {
        observeQuery(name, (performance.now() - t0) / 1000);
      }
    },
    async exec(text: string) {
      await conn.exec(text);
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite lets one process open a data directory. A lock file with our pid guards it, so a
 * second process gets a clear error pointing at `--url` instead of corrupting the database.
 */
function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, 'pglite.lock');
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (pid && pid !== process.pid && pidAlive(pid)) throw new DataDirLockedError(dir, pid);
  } catch (err) {
    if (err instanceof DataDirLockedError) throw err;
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly). `dir` undefined keeps it in memory (tests).
 * There is one connection, so advisory locks become an in-process queue per key.
 */
export async function openPglite(dir?: string): Promise<Database> {
  let unlock = () => {};
  if (dir) {
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir ? { dataDir: join(dir, 'pgdata') } : {});
  } catch (err) {
    unlock();
    throw err;
  }
  const root = bind(pg);
  const locks = new Map<number, Promise<unknown>>();
  let closed = false;

  async function withLock<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (locks.get(key) === tail) locks.delete(key);
    }
  }

  const db: Database = {
    engine: 'pglite',
    pool: { maxOpen: 1, maxIdle: 1 },
    query: (name, text, params) => root.query(name, text, params),
    exec: (text) => root.exec(text),
    // PGlite serializes a transaction against every other query on its single connection.
    tx: (fn) => pg.transaction((t) => fn(bind(t))),
    withAdvisoryLock: (key, fn) => withLock(key, () => fn(root)),
    async tryAdvisoryLock(key, fn) {
      if (locks.has(key)) return undefined;
      return withLock(key, () => fn(root));
    },
    ping: async () => {
      await pg.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
      unlock();
    },
  };
  return db;
}
