import { LockKeys, type Database, type Queryable } from '../db/index.js';
import type { Logger } from '../log.js';

/**
 * Deletes interceptions that started before `before`, with their token usages, prompts, tool
 * usages and thoughts (and any of those older than `before` whose interception is gone).
 * Returns how many interceptions went.
 */
export async function purgeOldRecords(q: Queryable, before: Date): Promise<number> {
  const rows = await q.query<{ n: number }>(
    'DeleteOldAIBridgeRecords',
    `WITH old AS (DELETE FROM aibridge_interceptions WHERE started_at < $1 RETURNING id),
          tu AS (DELETE FROM aibridge_token_usages WHERE interception_id IN (SELECT id FROM old) OR created_at < $1 RETURNING 1),
          up AS (DELETE FROM aibridge_user_prompts WHERE interception_id IN (SELECT id FROM old) OR created_at < $1 RETURNING 1),
          tl AS (DELETE FROM aibridge_tool_usages WHERE interception_id IN (SELECT id FROM old) OR created_at < $1 RETURNING 1),
          mt AS (DELETE FROM aibridge_model_thoughts WHERE interception_id IN (SELECT id FROM old) OR created_at < $1 RETURNING 1)
     SELECT (SELECT count(*) FROM old)::int8 AS n`,
    [before],
  );
  return rows[0]?.n ?? 0;
}

export interface RetentionJob {
  /** Runs one purge now (if this process gets the lock); resolves with the count, or undefined when another holds the lock. */
  runOnce(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * Purges records older than `retentionMs` every `intervalMs` (Coder's dbpurge runs every
 * 10 minutes), as a singleton across replicas: a run that cannot take the advisory lock
 * `LockKeys.retentionPurge` skips. A retention of 0 keeps records forever (no job).
 */
export function startRetentionJob(opts: {
  db: Database;
  retentionMs: number;
  log: Logger;
  intervalMs?: number;
  firstRunMs?: number;
  now?: () => number;
}): RetentionJob {
  const now = opts.now ?? Date.now;
  let running: Promise<unknown> | undefined;
  const runOnce = async () => {
    if (opts.retentionMs <= 0) return 0;
    const before = new Date(now() - opts.retentionMs);
    const n = await opts.db.tryAdvisoryLock(LockKeys.retentionPurge, (q) => purgeOldRecords(q, before));
    if (n) opts.log.info({ interceptions: n, before }, 'purged old AI Bridge records');
    return n;
  };
  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((err) => opts.log.warn({ err }, 'AI Bridge retention purge failed'))
      .finally(() => (running = undefined));
  };
  let first: NodeJS.Timeout | undefined;
  let every: NodeJS.Timeout | undefined;
  if (opts.retentionMs > 0) {
    first = setTimeout(tick, opts.firstRunMs ?? 60_000);
    every = setInterval(tick, opts.intervalMs ?? 10 * 60_000);
    first.unref();
    every.unref();
  }
  return {
    runOnce,
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
