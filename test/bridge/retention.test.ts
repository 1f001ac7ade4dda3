import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRecords } from '../../src/bridge/recorder/queries.js';
import type { AnyRecord } from '../../src/bridge/recorder/types.js';
import { startRetentionJob } from '../../src/bridge/retention.js';
import { LockKeys, type Database } from '../../src/db/index.js';
import { engines } from '../helpers/db.js';
import { testLog } from '../helpers/log.js';

const DAY = 86_400_000;

function records(startedAt: Date): { id: string; batch: AnyRecord[] } {
  const id = randomUUID();
  const at = { createdAt: startedAt, interceptionId: id, providerResponseId: 'r', metadata: null };
  return {
    id,
    batch: [
      {
        kind: 'interception',
        r: {
          id,
          initiatorId: randomUUID(),
          apiKeyId: 'k',
          provider: 'openai',
          providerName: 'openai',
          model: 'm',
          client: 'curl',
          userAgent: '',
          clientSessionId: null,
          credentialKind: 'centralized',
          credentialHint: '',
          endpoint: 'chat-completions',
          statusCode: 200,
          metadata: null,
          startedAt,
          endedAt: startedAt,
        },
      },
      { kind: 'token_usage', r: { ...at, id: randomUUID(), inputTokens: 1, outputTokens: 1 } },
      { kind: 'user_prompt', r: { ...at, id: randomUUID(), prompt: 'p' } },
      { kind: 'tool_usage', r: { ...at, id: randomUUID(), providerToolCallId: 'c', serverUrl: null, tool: 't', input: '{}', injected: false, invocationError: null } },
      { kind: 'model_thought', r: { ...at, id: randomUUID(), content: 'c' } },
    ],
  };
}

async function remaining(db: Database, id: string): Promise<number[]> {
  const out: number[] = [];
  for (const t of ['aibridge_interceptions', 'aibridge_token_usages', 'aibridge_user_prompts', 'aibridge_tool_usages', 'aibridge_model_thoughts']) {
    const col = t === 'aibridge_interceptions' ? 'id' : 'interception_id';
    const rows = await db.query<{ n: number }>('q', `SELECT count(*)::int8 AS n FROM ${t} WHERE ${col} = $1`, [id]);
    out.push(rows[0].n);
  }
  return out;
}

describe.each(engines())('retention on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('purges interceptions older than the retention with their records, and keeps the rest', async () => {
    const now = Date.now();
    const old = records(new Date(now - 61 * DAY));
    const recent = records(new Date(now - 59 * DAY));
    await writeRecords(db, [...old.batch, ...recent.batch]);
    const job = startRetentionJob({ db, retentionMs: 60 * DAY, log: testLog, now: () => now });
    expect(await job.runOnce()).toBe(1);
    expect(await remaining(db, old.id)).toEqual([0, 0, 0, 0, 0]);
    expect(await remaining(db, recent.id)).toEqual([1, 1, 1, 1, 1]);
    await job.stop();
  });

  it('keeps everything with a retention of 0', async () => {
    const ancient = records(new Date(Date.now() - 3650 * DAY));
    await writeRecords(db, ancient.batch);
    const job = startRetentionJob({ db, retentionMs: 0, log: testLog });
    expect(await job.runOnce()).toBe(0);
    expect(await remaining(db, ancient.id)).toEqual([1, 1, 1, 1, 1]);
    await job.stop();
  });

  // PGlite has one session, in which an advisory lock is re-entrant: only PostgreSQL can show this.
  if (engine.name === 'postgres')
      it('skips the purge while another replica holds the lock', async () => {
      const old = records(new Date(Date.now() - 100 * DAY));
      await writeRecords(db, old.batch);
      const job = startRetentionJob({ db, retentionMs: 60 * DAY, log: testLog });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const gotLock = new Promise<void>((r) => (locked = r));
      const holder = db.withAdvisoryLock(LockKeys.retentionPurge, async () => {
        locked();
        await held;
      });
      await gotLock;
      expect(await job.runOnce()).toBeUndefined();
      expect(await remaining(db, old.id)).toEqual([1, 1, 1, 1, 1]);
      release();
      await holder;
      expect(await job.runOnce()).toBeGreaterThanOrEqual(1);
      expect(await remaining(db, old.id)).toEqual([0, 0, 0, 0, 0]);
      await job.stop();
    });
});
