import pg from 'pg';
import type { Database, Queryable } from './database.js';
import { observeQuery } from './metrics.js';

const INT8 = 20;
const NUMERIC = 1700;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PostgresOptions {
  url: string;
  maxOpen: number;
  maxIdle: number;
  /** Creates the schema if needed and puts it first on the search_path (tests use one per run). */
  schema?: string;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

type Client = pg.PoolClient;

function bind(client: Client): Queryable {
  return {
    async query<R>(name: string, text: string, params?: unknown[]) {
      const t0 = performance.now();
      try {
        const res = await client.query({ text, values: params as unknown[] });
        return res.rows as R[];
      } finally {
        observeQuery(name, (performance.now() - t0) / 1000);
      }
    },
    async exec(text: string) {
      await client.query(text);
    },
  };
}

/** PostgreSQL through a `pg` Pool with Coder's open/idle connection limits. */
export async function openPostgres(opts: PostgresOptions): Promise<Database> {
  if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxOpen,
    idleTimeoutMillis: 60_000,
    // A database that stops answering must fail requests that need it (the bridge answers 503,
    // the proxy 502), not hang them.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: opts.applicationName ?? 'aibridge',
    types,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  pool.on('error', () => {
    // An idle client lost its connection (server restart); the pool replaces it on next use.
  });
  if (opts.schema) {
    const c = await pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
    } finally {
      c.release();
    }
  }

  /**
   * pg's pool has no idle cap, so one is applied on release: a client returned while the
   * pool already holds maxIdle idle clients is closed instead of kept (Coder's
   * SetMaxIdleConns; 0 keeps none).
   */
  async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    let broken = false;
    try {
      return await fn(c);
    } catch (err) {
      broken = isConnectionError(err);
      throw err;
    } finally {
      c.release(broken || pool.idleCount >= opts.maxIdle);
    }
  }

  const db: Database = {
    engine: 'postgres',
    pool: { maxOpen: opts.maxOpen, maxIdle: opts.maxIdle },
    query: (name, text, params) => withClient((c) => bind(c).query(name, text, params)),
    exec: (text) => withClient((c) => bind(c).exec(text)),
    tx: (fn) =>
      withClient(async (c) => {
        await c.query('BEGIN');
        try {
          const out = await fn(bind(c));
          await c.query('COMMIT');
          return out;
        } catch (err) {
          await c.query('ROLLBACK').catch(() => {});
          throw err;
        }
      }),
    withAdvisoryLock: (key, fn) =>
      withClient(async (c) => {
        await c.query('SELECT pg_advisory_lock($1)', [key]);
        try {
          return await fn(bind(c));
        } finally {
          await c.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
        }
      }),
    tryAdvisoryLock: (key, fn) =>
      withClient(async (c) => {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
        if (!r.rows[0].ok) return undefined;
        try {
          return await fn(bind(c));
        } finally {
          await c.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
        }
      }),
    ping: async () => {
      await withClient((c) => c.query('SELECT 1'));
    },
    close: () => pool.end(),
  };
  return db;
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return code.startsWith('08') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === '57P01';
}
