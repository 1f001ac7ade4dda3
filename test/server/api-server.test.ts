import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../src/metrics/index.js';
import { openPglite, type Database } from '../../src/db/index.js';
import { HttpError } from '../../src/errors.js';
import { startApiServer, type ApiServer } from '../../src/server/api-server.js';
import { sendJson } from '../../src/server/respond.js';
import { testLog } from '../helpers/log.js';

async function queryCount(labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric('coderd_db_query_counts_total')!.get();
  const v = m.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('API server', () => {
  let db: Database;
  let api: ApiServer;
  let releaseSlow: () => void = () => {};
  let slowStarted: Promise<void>;
  let markSlowStarted: () => void;

  beforeAll(async () => {
    db = await openPglite();
    slowStarted = new Promise((r) => (markSlowStarted = r));
    api = await startApiServer({
      address: '127.0.0.1:0',
      log: testLog,
      modules: [
        {
          name: 'test',
          register(router) {
            router.get('/api/v2/things/{thing}', async (_req, res, params) => {
              await db.query('GetThingByID', 'SELECT $1::text AS id', [params.thing]);
              sendJson(res, 200, { id: params.thing });
            });
            router.get('/api/v2/boom', () => {
              throw new HttpError(409, 'Conflict here.', 'a detail');
            });
            router.get('/api/v2/crash', async () => {
              throw new Error('secret internal detail');
            });
            router.get('/slow', async (_req, res) => {
              markSlowStarted();
              await new Promise<void>((r) => (releaseSlow = r));
              res.end('done');
            });
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await db.close();
  });

  it('labels queries with the matched route pattern and method', async () => {
    const before = await queryCount({ route: '/api/v2/things/{thing}', method: 'GET', query: 'GetThingByID' });
    const res = await request(`${api.url}/api/v2/things/abc`);
    expect(await res.body.json()).toEqual({ id: 'abc' });
    expect(await queryCount({ route: '/api/v2/things/{thing}', method: 'GET', query: 'GetThingByID' })).toBe(before + 1);
  });

  it('labels queries outside a request with an empty route and method', async () => {
    const before = await queryCount({ route: '', method: '', query: 'BackgroundThing' });
    await db.query('BackgroundThing', 'SELECT 1');
    expect(await queryCount({ route: '', method: '', query: 'BackgroundThing' })).toBe(before + 1);
  });

  it('answers unmatched paths with 404 in Coder\'s shape', async () => {
    const res = await request(`${api.url}/api/v2/nope`);
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toEqual({ message: 'Route not found.', detail: 'GET /api/v2/nope' });
  });

  it('turns HttpError into {message, detail} and hides internal errors', async () => {
    const a = await request(`${api.url}/api/v2/boom`);
    expect(a.statusCode).toBe(409);
    expect(await a.body.json()).toEqual({ message: 'Conflict here.', detail: 'a detail' });
    const b = await request(`${api.url}/api/v2/crash`);
    expect(b.statusCode).toBe(500);
    const text = await b.body.text();
    expect(text).not.toContain('secret internal detail');
  });

  it('drains an in-flight request on close, then stops accepting', async () => {
    const inflight = request(`${api.url}/slow`);
    await slowStarted;
    const closing = api.close(5_000);
    releaseSlow();
    const res = await inflight;
    expect(await res.body.text()).toBe('done');
    await closing;
    await expect(request(`${api.url}/api/v2/things/x`)).rejects.toThrow();
  });
});
