import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeRecords } from '../../../src/bridge/recorder/queries.js';
import type { AnyRecord, InterceptionRecord } from '../../../src/bridge/recorder/types.js';
import { RecordWriter } from '../../../src/bridge/recorder/writer.js';
import { recorderRecordsWritten } from '../../../src/bridge/metrics.js';
import type { Database } from '../../../src/db/index.js';
import { engines } from '../../helpers/db.js';
import { testLog } from '../../helpers/log.js';

function interception(over: Partial<InterceptionRecord> = {}): InterceptionRecord {
  return {
    id: randomUUID(),
    initiatorId: randomUUID(),
    apiKeyId: 'abcdefghij',
    provider: 'openai',
    providerName: 'openai',
    model: 'gpt-4o',
    client: 'curl',
    userAgent: 'curl/8',
    clientSessionId: null,
    credentialKind: 'centralized',
    credentialHint: '',
    endpoint: 'chat-completions',
    statusCode: 0,
    metadata: null,
    startedAt: new Date(),
    endedAt: null,
    ...over,
  };
}

/** A real database that can be made to fail like an unreachable server. */
function switchable(db: Database) {
  const state = { down: false, writes: [] as string[][] };
  const refuse = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  const wrapped = {
    query: async <R,>(name: string, text: string, params?: unknown[]) => {
      if (state.down) return refuse() as Promise<R[]>;
      const rows = await db.query<R>(name, text, params);
      // Batches of interceptions only in these tests: every 16th parameter is an id.
      if (name === 'InsertAIBridgeRecords') state.writes.push((params ?? []).filter((_, i) => i % 16 === 0) as string[]);
      return rows;
    },
    exec: (t: string) => (state.down ? refuse() : db.exec(t)),
    ping: () => (state.down ? refuse() : db.ping()),
  };
  return { state, db: wrapped };
}

async function count(db: Database, table: string): Promise<number> {
  const rows = await db.query<{ n: number }>('Count', `SELECT count(*)::int8 AS n FROM ${table}`);
  return rows[0].n;
}

// The SQL runs on both engines in bridge.integration.test.ts; the writer's logic on one is enough.
describe.each(engines().slice(-1))('recorder on $name', (engine) => {
  let db: Database;
  let dir: string;
  const writers: RecordWriter[] = [];
  const writer = (w: RecordWriter) => (writers.push(w), w);

  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aibridge-spool-'));
    for (const t of ['aibridge_interceptions', 'aibridge_token_usages', 'aibridge_user_prompts', 'aibridge_tool_usages', 'aibridge_model_thoughts']) await db.exec(`DELETE FROM ${t}`);
  });
  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a batch idempotently: the same records twice make one row each', async () => {
    const i = interception({ endedAt: new Date(), statusCode: 200 });
    const batch: AnyRecord[] = [
      { kind: 'interception', r: i },
      { kind: 'token_usage', r: { id: randomUUID(), interceptionId: i.id, providerResponseId: 'r1', inputTokens: 3, outputTokens: 4, metadata: { cache_read_input_tokens: 1 }, createdAt: new Date() } },
      { kind: 'user_prompt', r: { id: randomUUID(), interceptionId: i.id, providerResponseId: 'r1', prompt: 'hi', metadata: null, createdAt: new Date() } },
      { kind: 'tool_usage', r: { id: randomUUID(), interceptionId: i.id, providerResponseId: 'r1', providerToolCallId: 'c1', serverUrl: null, tool: 'ls', input: '{}', injected: false, invocationError: null, metadata: null, createdAt: new Date() } },
      { kind: 'model_thought', r: { id: randomUUID(), interceptionId: i.id, providerResponseId: 'r1', content: 'hmm', metadata: null, createdAt: new Date() } },
    ];
    await writeRecords(db, batch);
    await writeRecords(db, JSON.parse(JSON.stringify(batch)));
    for (const t of ['aibridge_interceptions', 'aibridge_token_usages', 'aibridge_user_prompts', 'aibridge_tool_usages', 'aibridge_model_thoughts']) expect(await count(db, t), t).toBe(1);
    const [u] = await db.query<{ metadata: unknown; input_tokens: number }>('q', 'SELECT metadata, input_tokens FROM aibridge_token_usages');
    expect(u).toEqual({ metadata: { cache_read_input_tokens: 1 }, input_tokens: 3 });
  });

  it('keeps the end of an interception whichever of start and end is written first', async () => {
    const start = interception();
    const end = { ...start, endedAt: new Date(), statusCode: 200 };
    await writeRecords(db, [{ kind: 'interception', r: end }]);
    await writeRecords(db, [{ kind: 'interception', r: start }]);
    const other = interception();
    await writeRecords(db, [{ kind: 'interception', r: other }]);
    await writeRecords(db, [
      { kind: 'interception', r: { ...other, endedAt: new Date(), statusCode: 502 } },
      { kind: 'interception', r: other },
    ]);
    const rows = await db.query<{ id: string; status_code: number; ended: boolean }>('q', 'SELECT id, status_code, ended_at IS NOT NULL AS ended FROM aibridge_interceptions ORDER BY status_code');
    expect(rows).toEqual([
      { id: start.id, status_code: 200, ended: true },
      { id: other.id, status_code: 502, ended: true },
    ]);
  });

  it('merges the end of an interception into its queued start (one row written)', async () => {
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 10_000, log: testLog }));
    const i = interception();
    w.recordInterception(i);
    w.recordInterceptionEnded({ ...i, endedAt: new Date(), statusCode: 200 });
    expect(w.depth.queued).toBe(1);
    await w.idle();
    expect(sw.state.writes).toEqual([[i.id]]);
    const [row] = await db.query<{ status_code: number }>('q', 'SELECT status_code FROM aibridge_interceptions');
    expect(row.status_code).toBe(200);
  });

  it('flushes a full batch at once and the rest after the flush interval', async () => {
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 3, flushInterval: 30, log: testLog }));
    const ids = Array.from({ length: 4 }, () => interception());
    for (const i of ids) w.recordInterception(i);
    await w.idle();
    expect(sw.state.writes).toEqual([ids.slice(0, 3).map((i) => i.id), [ids[3].id]]);
  });

  it('spools to disk while the database is down and replays in order when it is back', async () => {
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 1000, batchSize: 2, flushInterval: 5, log: testLog, retryMin: 10, retryMax: 40 }));
    sw.state.down = true;
    const ids = Array.from({ length: 7 }, () => interception({ endedAt: new Date(), statusCode: 200 }));
    for (const i of ids) {
      w.recordInterception(i);
      // Recording never waits, whatever the database does.
      await new Promise((r) => setTimeout(r, 5));
    }
    await expect.poll(() => w.depth.spooled, { timeout: 5000 }).toBe(7);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
    expect(await count(db, 'aibridge_interceptions')).toBe(0);
    sw.state.down = false;
    await w.idle();
    expect(sw.state.writes.flat()).toEqual(ids.map((i) => i.id));
    expect(await count(db, 'aibridge_interceptions')).toBe(7);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('spills the queue to the spool when it outgrows its bound', async () => {
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 3, batchSize: 100, flushInterval: 10_000, log: testLog, retryMin: 10 }));
    for (let i = 0; i < 4; i++) w.recordInterception(interception({ endedAt: new Date(), statusCode: 200 }));
    expect(w.depth.queued).toBe(0);
    await w.idle();
    expect(await count(db, 'aibridge_interceptions')).toBe(4);
  });

  it('flushes on close, and a writer started on a left-over spool replays it', async () => {
    const sw = switchable(db);
    const w1 = new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 10_000, log: testLog });
    const first = interception();
    w1.recordInterception(first);
    await w1.close();
    expect(await count(db, 'aibridge_interceptions')).toBe(1);

    const w2 = new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 10_000, log: testLog });
    sw.state.down = true;
    w2.recordInterception(interception());
    await w2.close();
    // Records of requests that end after shutdown began go straight to disk.
    w2.recordInterception(interception());
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    sw.state.down = false;

    const w3 = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 10_000, log: testLog, retryMin: 10 }));
    await w3.idle();
    expect(await count(db, 'aibridge_interceptions')).toBe(3);
  });

  it('sets aside a spooled batch the database refuses while up', async () => {
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 5, log: testLog, retryMin: 5, retryMax: 5 }));
    // Not a UUID: PostgreSQL refuses the batch however often it is tried.
    w.recordInterception(interception({ id: 'not-a-uuid' }));
    await w.idle();
    expect(readdirSync(join(dir, 'rejected'))).toHaveLength(1);
    w.recordInterception(interception());
    await w.idle();
    expect(await count(db, 'aibridge_interceptions')).toBe(1);
  });

  it('moves a spool file that cannot be parsed to rejected/ and replays the rest', async () => {
    const good = interception({ endedAt: new Date(), statusCode: 200 });
    writeFileSync(join(dir, '000000000001-1.json'), '[{"kind":"interception","r":{"id":');
    writeFileSync(join(dir, '000000000002-1.json'), '{"not":"a list"}');
    writeFileSync(join(dir, '000000000003-1.json'), JSON.stringify([{ kind: 'interception', r: good }]));
    const w = writer(new RecordWriter({ db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 5, log: testLog, retryMin: 5, retryMax: 5 }));
    await w.idle();
    expect(readdirSync(join(dir, 'rejected')).sort()).toEqual(['000000000001-1.json', '000000000002-1.json']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect(await count(db, 'aibridge_interceptions')).toBe(1);
    // And recording goes on to the database, not to the spool.
    w.recordInterception(interception());
    await w.idle();
    expect(w.depth.spooled).toBe(0);
    expect(await count(db, 'aibridge_interceptions')).toBe(2);
  });

  it('keeps the spool readable by its owner only: directories 0700, files 0600', async () => {
    const spoolDir = join(dir, 'spool');
    mkdirSync(spoolDir, { mode: 0o755 });
    chmodSync(spoolDir, 0o755);
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir, queueSize: 100, batchSize: 1, flushInterval: 5, log: testLog, retryMin: 10_000, retryMax: 10_000 }));
    sw.state.down = true;
    w.recordInterceptionEnded(interception({ endedAt: new Date(), statusCode: 200 }));
    await expect.poll(() => w.depth.spooled).toBe(1);
    await w.close();
    w.recordInterception(interception());
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(spoolDir)).toBe(0o700);
    expect(mode(join(spoolDir, 'rejected'))).toBe(0o700);
    const files = readdirSync(spoolDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(mode(join(spoolDir, f)), f).toBe(0o600);
  });

  it('writes a request that ends within the hold time once, as one finished row, even when batches go out at once', async () => {
    const written = async () => (await recorderRecordsWritten.get()).values.find((v) => v.labels.kind === 'interception')?.value ?? 0;
    const before = await written();
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 1, flushInterval: 5, log: testLog }));
    const fast = interception();
    w.recordInterception(fast);
    // Another record goes out meanwhile, in a batch of its own.
    const other = interception({ endedAt: new Date(), statusCode: 200 });
    w.recordInterceptionEnded(other);
    await expect.poll(() => sw.state.writes.length).toBe(1);
    w.recordInterceptionEnded({ ...fast, endedAt: new Date(), statusCode: 200 });
    await w.idle();
    expect(sw.state.writes).toEqual([[other.id], [fast.id]]);
    expect((await written()) - before).toBe(2);
    const [row] = await db.query<{ status_code: number }>('q', 'SELECT status_code FROM aibridge_interceptions WHERE id = $1', [fast.id]);
    expect(row.status_code).toBe(200);
  });

  it('queues a start still open after the hold time, so a long request shows as in flight, and its end updates the row', async () => {
    const sw = switchable(db);
    const w = writer(new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 5, log: testLog, startHold: 20 }));
    const long = interception();
    w.recordInterception(long);
    await expect.poll(() => sw.state.writes).toEqual([[long.id]]);
    const [open] = await db.query<{ ended: boolean }>('q', 'SELECT ended_at IS NOT NULL AS ended FROM aibridge_interceptions WHERE id = $1', [long.id]);
    expect(open.ended).toBe(false);
    w.recordInterceptionEnded({ ...long, endedAt: new Date(), statusCode: 200 });
    await w.idle();
    expect(sw.state.writes).toEqual([[long.id], [long.id]]);
    const [done] = await db.query<{ ended: boolean }>('q', 'SELECT ended_at IS NOT NULL AS ended FROM aibridge_interceptions WHERE id = $1', [long.id]);
    expect(done.ended).toBe(true);
  });

  it('flushes held starts on close, as in-flight rows', async () => {
    const sw = switchable(db);
    const w = new RecordWriter({ db: sw.db, spoolDir: dir, queueSize: 100, batchSize: 100, flushInterval: 10_000, log: testLog, startHold: 60_000 });
    const open = interception();
    w.recordInterception(open);
    expect(sw.state.writes).toEqual([]);
    await w.close();
    expect(sw.state.writes).toEqual([[open.id]]);
    const rows = await db.query<{ ended: boolean }>('q', 'SELECT ended_at IS NOT NULL AS ended FROM aibridge_interceptions');
    expect(rows).toEqual([{ ended: false }]);
  });
});
