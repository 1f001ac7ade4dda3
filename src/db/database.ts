/**
 * The one database interface of the product. Two engines implement it: `pg` against a
 * PostgreSQL server, and PGlite embedded in the process. Every query has a name (Coder's
 * query names, e.g. `GetUserByID`) for metrics, and positional parameters.
 *
 * Values: int8 and numeric come back as JS numbers, bytea as Buffer, timestamptz as Date, json
 * and jsonb parsed. Pass jsonb parameters as JSON text (`JSON.stringify(v)`): the engines turn a
 * JS array into a PostgreSQL array, not into JSON.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(name: string, text: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of several statements with no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** Runs fn in one transaction; a throw rolls back. Inside fn, query through its argument only. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs fn while holding the session-level advisory lock `key`, on one connection; other
   * processes wait. fn's queries run on that connection.
   */
  withAdvisoryLock<T>(key: number, fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Like withAdvisoryLock but returns undefined at once when another session holds the lock. */
  tryAdvisoryLock<T>(key: number, fn: (q: Queryable) => Promise<T>): Promise<T | undefined>;
  /** Checks the database answers; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The pool settings in force (PostgreSQL); the embedded engine has one connection. */
  readonly pool: { maxOpen: number; maxIdle: number };
}

export async function one<R>(q: Queryable, name: string, text: string, params?: unknown[]): Promise<R> {
  const rows = await q.query<R>(name, text, params);
  if (rows.length === 0) throw new Error(`${name}: no rows`);
  return rows[0];
}

export async function maybeOne<R>(q: Queryable, name: string, text: string, params?: unknown[]): Promise<R | undefined> {
  const rows = await q.query<R>(name, text, params);
  return rows[0];
}

/** Advisory lock keys used across the product, in one place so they never collide. */
export const LockKeys = {
  migrate: 0x6169_6d31, // "aim1"
  retentionPurge: 0x6169_7231,
  telemetry: 0x6169_7431,
} as const;
