import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBoundaryUsage } from '../../../src/controlplane/boundaryusage/index.js';
import { Tracker, type Timers } from '../../../src/controlplane/boundaryusage/tracker.js';
import { Store } from '../../../src/controlplane/dbauthz/store.js';
import { orgMemberPermissions, SystemSubjects, userSubject, type Subject } from '../../../src/controlplane/rbac/index.js';
import { collectBoundaryUsageSummary, periodEndingAt, SNAPSHOT_FREQUENCY_MS, type BoundaryUsageSummary } from '../../../src/controlplane/telemetry/boundary.js';
import { readMigrations, type Database } from '../../../src/db/index.js';
import { engines } from '../../helpers/db.js';
import { testLog } from '../../helpers/log.js';

const WS1 = '10000000-0000-0000-0000-000000000001';
const WS2 = '10000000-0000-0000-0000-000000000002';
const U1 = '20000000-0000-0000-0000-000000000001';
const U2 = '20000000-0000-0000-0000-000000000002';
const R1 = '30000000-0000-0000-0000-000000000001';
const R2 = '30000000-0000-0000-0000-000000000002';
const ORG = '40000000-0000-0000-0000-000000000001';
const DAY = 24 * 3600_000;

function user(siteRoles: string[], orgRoles: string[] = []): Subject {
  return userSubject({
    id: U1,
    username: 'u',
    siteRoles,
    memberships: [{ orgId: ORG, roles: orgRoles, memberRole: orgMemberPermissions(false) }],
    groups: [],
    scopes: ['all'],
  });
}

/** A manual setInterval: tests fire the ticks. */
function manualTimers() {
  const fns = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setInterval: (fn, ms) => {
      fns.set(next, { fn, ms });
      return next++;
    },
    clearInterval: (h) => void fns.delete(h as number),
  };
  return {
    timers,
    fns,
    tick: (ms?: number) => [...fns.values()].filter((t) => ms === undefined || t.ms === ms).forEach((t) => t.fn()),
  };
}

describe.each(engines())('boundary usage tracker and telemetry on $name', (engine) => {
  let db: Database;
  let store: Store;
  let writes: string[];
  // Telemetry periods are claimed once each: every test collects in a period of its own.
  let day = 0;
  const nextPeriod = () => new Date(Date.UTC(2030, 0, 1) + day++ * DAY + 5 * 60_000);
  const summary = () => collectBoundaryUsageSummary(store, { now: nextPeriod });

  beforeAll(async () => {
    db = await engine.open();
    writes = [];
    const query = db.query.bind(db);
    db.query = ((name: string, text: string, params?: unknown[]) => {
      writes.push(name);
      return query(name, text, params);
    }) as Database['query'];
    store = new Store(db, db, SystemSubjects.systemRestricted, { deploymentSharingDisabled: false });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.query('test', 'DELETE FROM boundary_usage_stats');
    writes.length = 0;
  });

  it('counts unique workspaces and users and sums requests of one flush (case 25)', async () => {
    const t = new Tracker();
    t.track(WS1, U1, 10, 2);
    t.track(WS2, U1, 5, 1);
    t.track(WS2, U2, 3, 0);
    await t.flushToDB(store, R1);
    expect(await summary()).toMatchObject({ unique_workspaces: 2, unique_users: 2, allowed_requests: 18, denied_requests: 3 });
  });

  it('sums the rows of all replicas and empties the table (case 26)', async () => {
    const a = new Tracker();
    const b = new Tracker();
    a.track(WS1, U1, 10, 0);
    b.track(WS2, U2, 20, 0);
    await a.flushToDB(store, R1);
    await b.flushToDB(store, R2);
    const s = await store.asSystem('boundaryUsageTracker').boundaryUsage.getAndResetBoundaryUsageSummary(DAY);
    expect(s).toEqual({ unique_workspaces: 2, unique_users: 2, allowed_requests: 30, denied_requests: 0 });
    expect(await db.query('test', 'SELECT * FROM boundary_usage_stats')).toEqual([]);
  });

  it('adds request deltas on update and reports the upsert as a new period only when it inserts', async () => {
    const bu = store.asSystem('boundaryUsageTracker').boundaryUsage;
    const p = { replicaId: R1, uniqueWorkspacesDelta: 1, uniqueUsersDelta: 1, uniqueWorkspacesCount: 3, uniqueUsersCount: 2, allowedRequests: 4, deniedRequests: 1 };
    expect(await bu.upsertBoundaryUsageStats(p)).toBe(true);
    expect(await bu.upsertBoundaryUsageStats(p)).toBe(false);
    const [row] = await db.query('test', 'SELECT unique_workspaces_count, unique_users_count, allowed_requests, denied_requests FROM boundary_usage_stats');
    // Insert wrote the deltas (1/1); the update replaced them with the cumulative counts and added requests.
    expect(row).toEqual({ unique_workspaces_count: 3, unique_users_count: 2, allowed_requests: 8, denied_requests: 2 });
  });

  it('inserts only the usage since the last flush after a reset (case 27)', async () => {
    const t = new Tracker();
    t.track(WS1, U1, 7, 1);
    await t.flushToDB(store, R1);
    expect(await summary()).toMatchObject({ unique_workspaces: 1, allowed_requests: 7, denied_requests: 1 });

    t.track(WS2, U2, 2, 0);
    await t.flushToDB(store, R1);
    const [row] = await db.query('test', 'SELECT unique_workspaces_count, unique_users_count, allowed_requests, denied_requests FROM boundary_usage_stats');
    expect(row).toEqual({ unique_workspaces_count: 1, unique_users_count: 1, allowed_requests: 2, denied_requests: 0 });
    expect(await summary()).toMatchObject({ unique_workspaces: 1, unique_users: 1, allowed_requests: 2, denied_requests: 0 });
  });

  it('keeps usage tracked while a flush is in flight for the next flush', async () => {
    const t = new Tracker();
    t.track(WS1, U1, 1, 0);
    const flushing = t.flushToDB(store, R1);
    t.track(WS2, U2, 5, 0);
    await flushing;
    await t.flushToDB(store, R1);
    const [row] = await db.query<{ allowed_requests: number }>('test', 'SELECT allowed_requests FROM boundary_usage_stats');
    expect(row.allowed_requests).toBe(6);
  });

  it('deletes stale rows on reset but leaves them out of the sums (case 28)', async () => {
    const t1 = new Tracker();
    const t2 = new Tracker();
    t1.track(WS1, U1, 10, 1);
    t2.track(WS2, U2, 100, 50);
    await t1.flushToDB(store, R1);
    await t2.flushToDB(store, R2);
    await db.query('test', `UPDATE boundary_usage_stats SET window_start = now() - interval '2 hours' WHERE replica_id = $1`, [R2]);
    const s = await store.asSystem('boundaryUsageTracker').boundaryUsage.getAndResetBoundaryUsageSummary(3600_000);
    expect(s).toEqual({ unique_workspaces: 1, unique_users: 1, allowed_requests: 10, denied_requests: 1 });
    expect(await db.query('test', 'SELECT * FROM boundary_usage_stats')).toEqual([]);
  });

  it('lets one collection per 30-minute period report; the next in the same period gets null (case 29)', async () => {
    const t = new Tracker();
    t.track(WS1, U1, 3, 0);
    await t.flushToDB(store, R1);
    const base = nextPeriod();
    const first = await collectBoundaryUsageSummary(store, { now: () => new Date(base.getTime() + 60_000) });
    expect(first).toEqual({
      unique_workspaces: 1,
      unique_users: 1,
      allowed_requests: 3,
      denied_requests: 0,
      period_start: new Date(base.getTime() + 60_000 - SNAPSHOT_FREQUENCY_MS).toISOString(),
      period_duration_ms: SNAPSHOT_FREQUENCY_MS,
    });
    t.track(WS1, U1, 1, 0);
    await t.flushToDB(store, R1);
    // Same period (base is 5 min past a half hour; +20 min stays before the next one).
    expect(await collectBoundaryUsageSummary(store, { now: () => new Date(base.getTime() + 20 * 60_000) })).toBeNull();
    // The other replica's loss left the row alone; the next period reports it.
    expect(await collectBoundaryUsageSummary(store, { now: () => new Date(base.getTime() + 30 * 60_000) })).toMatchObject({ allowed_requests: 1 });
    const locks = await db.query('test', `SELECT period_ending_at FROM telemetry_locks WHERE event_type = 'boundary_usage_summary' AND period_ending_at >= $1 ORDER BY 1`, [
      periodEndingAt(base),
    ]);
    expect(locks).toEqual([{ period_ending_at: periodEndingAt(base) }, { period_ending_at: new Date(periodEndingAt(base).getTime() + SNAPSHOT_FREQUENCY_MS) }]);
  });

  it('reports zeros for a period after a reset with no new usage', async () => {
    const t = new Tracker();
    t.track(WS1, U1, 3, 0);
    await t.flushToDB(store, R1);
    await summary();
    await t.flushToDB(store, R1);
    expect(await summary()).toMatchObject({ unique_workspaces: 0, unique_users: 0, allowed_requests: 0, denied_requests: 0 });
  });

  it('writes nothing when nothing was tracked since the last flush (case 30)', async () => {
    const t = new Tracker();
    await t.flushToDB(store, R1);
    expect(writes).toEqual([]);
    t.track(WS1, U1, 1, 0);
    await t.flushToDB(store, R1);
    expect(writes).toEqual(['UpsertBoundaryUsageStats']);
    await t.flushToDB(store, R1);
    expect(writes).toEqual(['UpsertBoundaryUsageStats']);
  });

  it('denies owner, template-admin, member and org-admin subjects every boundary_usage query; the tracker subject may (case 31)', async () => {
    const p = { replicaId: R1, uniqueWorkspacesDelta: 1, uniqueUsersDelta: 1, uniqueWorkspacesCount: 1, uniqueUsersCount: 1, allowedRequests: 1, deniedRequests: 0 };
    const subjects = [user(['owner']), user(['template-admin']), user([]), user(['user-admin']), user([], ['organization-admin']), SystemSubjects.systemRestricted];
    for (const subject of subjects) {
      const bu = store.as(subject).boundaryUsage;
      await expect(bu.upsertBoundaryUsageStats(p), subject.friendlyName).rejects.toMatchObject({ code: 'NOT_AUTHORIZED', action: 'update' });
      await expect(bu.getAndResetBoundaryUsageSummary(DAY)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED', action: 'read' });
      await expect(bu.deleteBoundaryUsageStatsByReplicaId(R1)).rejects.toMatchObject({ code: 'NOT_AUTHORIZED', action: 'delete' });
    }
    expect(writes).toEqual([]);
    const tracker = store.asSystem('boundaryUsageTracker').boundaryUsage;
    expect(await tracker.upsertBoundaryUsageStats(p)).toBe(true);
    await tracker.deleteBoundaryUsageStatsByReplicaId(R1);
    expect(await tracker.getAndResetBoundaryUsageSummary(DAY)).toEqual({ unique_workspaces: 0, unique_users: 0, allowed_requests: 0, denied_requests: 0 });
  });

  it('flushes on each tick of the one-minute loop and stops when asked', async () => {
    const t = new Tracker();
    const m = manualTimers();
    const loop = t.startFlushLoop({ store, replicaId: R1, log: testLog, timers: m.timers });
    expect([...m.fns.values()].map((x) => x.ms)).toEqual([60_000]);
    t.track(WS1, U1, 4, 0);
    m.tick();
    await loop.idle();
    expect(writes).toEqual(['UpsertBoundaryUsageStats']);
    await loop.stop();
    expect(m.fns.size).toBe(0);
    t.track(WS1, U1, 4, 0);
    m.tick();
    await loop.idle();
    expect(writes).toEqual(['UpsertBoundaryUsageStats']);
  });

  it('runs the flush loop every minute and the telemetry job every 30 minutes until stopped', async () => {
    const m = manualTimers();
    const reports: BoundaryUsageSummary[] = [];
    const bu = startBoundaryUsage({ store, log: testLog, replicaId: R1, timers: m.timers, now: nextPeriod, report: (s) => reports.push(s) });
    expect([...m.fns.values()].map((x) => x.ms).sort((a, b) => a - b)).toEqual([60_000, SNAPSHOT_FREQUENCY_MS]);
    bu.tracker.track(WS1, U1, 9, 4);
    m.tick(60_000);
    m.tick(SNAPSHOT_FREQUENCY_MS);
    await bu.stop();
    expect(m.fns.size).toBe(0);
    expect(reports).toEqual([expect.objectContaining({ unique_workspaces: 1, unique_users: 1, allowed_requests: 9, denied_requests: 4 })]);
  });

  it('rejects event types outside the CHECK of telemetry_locks', async () => {
    await expect(db.query('test', `INSERT INTO telemetry_locks (event_type, period_ending_at) VALUES ('other', now())`)).rejects.toMatchObject({ code: '23514' });
  });

  it('drops both tables in the down migration and restores them in the up one', async () => {
    const tables = async () =>
      (await db.query<{ t: string | null }>('test', `SELECT to_regclass('boundary_usage_stats')::text AS t UNION ALL SELECT to_regclass('telemetry_locks')::text`)).map((r) => r.t);
    const m = readMigrations().find((x) => x.version === 20)!;
    await db.exec(m.down);
    expect(await tables()).toEqual([null, null]);
    await db.exec(m.up);
    expect(await tables()).toEqual(['boundary_usage_stats', 'telemetry_locks']);
  });
});

describe('periodEndingAt', () => {
  it('truncates to the 30-minute snapshot frequency in UTC', () => {
    expect(periodEndingAt(new Date('2030-01-01T10:44:59.999Z')).toISOString()).toBe('2030-01-01T10:30:00.000Z');
    expect(periodEndingAt(new Date('2030-01-01T10:30:00.000Z')).toISOString()).toBe('2030-01-01T10:30:00.000Z');
  });
});
