import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, openPostgres, type Database } from '../../src/db/index.js';
import { authenticateApiKey, cachedTokenCheck } from '../../src/db/queries/api-keys.js';
import { openTestPostgres, pgUrl } from '../helpers/db.js';
import { newUser, startStack, type Stack } from './helpers.js';

/** A TCP relay to PostgreSQL that the test can cut (every connection dropped, new ones refused) and restore. */
async function startRelay(target: URL): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  let down = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    open.add(client);
    open.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe.runIf(pgUrl())('recording through a PostgreSQL outage', () => {
  let direct: Database & { schema: string };
  let viaRelay: Database;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let s: Stack;

  beforeAll(async () => {
    direct = await openTestPostgres();
    await migrateUp(direct);
    relay = await startRelay(new URL(pgUrl()));
    const url = new URL(pgUrl());
    url.host = `127.0.0.1:${relay.port}`;
    viaRelay = await openPostgres({ url: url.toString(), maxOpen: 5, maxIdle: 2, schema: direct.schema });
    s = await startStack(viaRelay, {}, { tokenCheck: cachedTokenCheck((t) => authenticateApiKey(viaRelay, t), 60_000) });
  });

  afterAll(async () => {
    await s.close();
    await viaRelay.close();
    await relay.close();
    await direct.close();
  });

  it('fails no request while the database is cut off, and writes every record once it is back', async () => {
    const user = await newUser(direct);
    const send = async (i: number) => {
      const res = await request(`${s.openaiBase}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'outage-model', messages: [{ role: 'user', content: `prompt ${i}` }], stream: i % 2 === 0 }),
      });
      await res.body.dump();
      return { status: res.statusCode, id: res.headers['x-coder-interception-id'] as string };
    };
    // One request before the outage: the token check is cached from here on.
    expect((await send(-1)).status).toBe(200);
    await s.bridge.recorder!.idle();

    relay.cut();
    const results: { status: number; id: string }[] = [];
    for (let wave = 0; wave < 10; wave++) results.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => send(wave * 10 + j)))));
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    await expect.poll(() => s.bridge.recorder!.depth.spooled, { timeout: 10_000 }).toBeGreaterThan(0);
    const during = await direct.query<{ n: number }>('q', "SELECT count(*)::int8 AS n FROM aibridge_interceptions WHERE model = 'outage-model'");
    expect(during[0].n).toBe(1);

    relay.restore();
    await s.bridge.recorder!.idle();
    const ids = results.map((r) => r.id);
    const rows = await direct.query<{ id: string; ended: boolean }>('q', 'SELECT id, ended_at IS NOT NULL AS ended FROM aibridge_interceptions WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows).toHaveLength(100);
    expect(rows.every((r) => r.ended)).toBe(true);
    const usages = await direct.query<{ n: number }>('q', 'SELECT count(*)::int8 AS n FROM aibridge_token_usages WHERE interception_id = ANY($1::uuid[])', [ids]);
    expect(usages[0].n).toBe(100);
    const prompts = await direct.query<{ prompt: string }>('q', 'SELECT prompt FROM aibridge_user_prompts WHERE interception_id = ANY($1::uuid[])', [ids]);
    expect(prompts.map((p) => p.prompt).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `prompt ${i}`).sort());
    expect(s.bridge.recorder!.depth).toEqual({ queued: 0, spooled: 0 });
  });
});
