import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp, type Database } from '../../src/db/index.js';
import { engines, openTestPostgres, pgUrl } from '../helpers/db.js';

const TABLES = ['tailnet_coordinators', 'tailnet_peers', 'tailnet_tunnels'];

async function persistence(db: Database): Promise<Record<string, string>> {
  const rows = await db.query<{ relname: string; relpersistence: string }>(
    'TailnetPersistence',
    `SELECT c.relname, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relname = ANY($1)`,
    [TABLES],
  );
  return Object.fromEntries(rows.map((r) => [r.relname, r.relpersistence]));
}

describe.each(engines())('tailnet tables on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(() => db.close());

  it('are UNLOGGED after migrating, and LOGGED again after the down migration, children and parent in the right order', async () => {
    expect(await persistence(db)).toEqual({ tailnet_coordinators: 'u', tailnet_peers: 'u', tailnet_tunnels: 'u' });
    // Revert every migration from the UNLOGGED one (000006) on, then migrate up again.
    const later = (await db.query<{ n: number }>('q', 'SELECT count(*)::int8 AS n FROM schema_migrations WHERE version >= 6'))[0].n;
    await migrateDown(db, later);
    expect(await persistence(db)).toEqual({ tailnet_coordinators: 'p', tailnet_peers: 'p', tailnet_tunnels: 'p' });
    await migrateUp(db);
    expect(await persistence(db)).toEqual({ tailnet_coordinators: 'u', tailnet_peers: 'u', tailnet_tunnels: 'u' });
  });
});

// LISTEN needs a session of its own, which the pg engine gives; PGlite runs the same triggers.
describe.runIf(pgUrl())('tailnet notifications on PostgreSQL', () => {
  it('announces peer and tunnel changes with pg_notify', async () => {
    const db = await openTestPostgres();
    const listener = new pg.Client({ connectionString: pgUrl() });
    try {
      await migrateUp(db);
      await listener.connect();
      const got: { channel: string; payload?: string }[] = [];
      listener.on('notification', (n) => got.push({ channel: n.channel, payload: n.payload }));
      await listener.query('LISTEN tailnet_peer_update');
      await listener.query('LISTEN tailnet_tunnel_update');
      const coord = '00000000-0000-4000-8000-000000000001';
      const peer = '00000000-0000-4000-8000-000000000002';
      const src = '00000000-0000-4000-8000-00000000000a';
      const dst = '00000000-0000-4000-8000-00000000000b';
      await db.query('UpsertTailnetCoordinator', 'INSERT INTO tailnet_coordinators (id, heartbeat_at) VALUES ($1, now())', [coord]);
      await db.query('UpsertTailnetPeer', "INSERT INTO tailnet_peers (id, coordinator_id, updated_at, node) VALUES ($1, $2, now(), '\\x00')", [peer, coord]);
      await db.query('UpsertTailnetTunnel', 'INSERT INTO tailnet_tunnels (coordinator_id, src_id, dst_id, updated_at) VALUES ($1, $2, $3, now())', [coord, src, dst]);
      await db.query('DeleteTailnetPeer', 'DELETE FROM tailnet_peers WHERE id = $1', [peer]);
      await expect.poll(() => got.length).toBe(3);
      expect(got).toEqual([
        { channel: 'tailnet_peer_update', payload: peer },
        { channel: 'tailnet_tunnel_update', payload: `${src},${dst}` },
        { channel: 'tailnet_peer_update', payload: peer },
      ]);
    } finally {
      await listener.end();
      await db.close();
    }
  });
});
