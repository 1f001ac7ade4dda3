import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAbsoluteHttp, PlainHttpForwarder } from '../../src/proxy/plain-http.js';
import { Dialer } from '../../src/proxy/tunnel.js';
import { parseUpstreamProxy } from '../../src/proxy/upstream.js';
import { testLog } from '../helpers/log.js';
import { closeServer, listenLocal, startUpstreamProxy } from './helpers.js';

/** A resolver answering from a fixed table (the names are not real). */
function fakeResolver(table: Record<string, string[]>) {
  return ((host: string, _opts: LookupOptions, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
    const a = table[host];
    if (!a) return cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    cb(null, a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as typeof import('node:dns').lookup;
}

/** GET an absolute http:// target through a proxy at 127.0.0.1:port; resolves with the status. */
function getThrough(port: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'GET', path: target, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end();
  });
}

describe('plain http:// through an upstream proxy', () => {
  let up: Awaited<ReturnType<typeof startUpstreamProxy>>;
  let front: Server;
  let forwarder: PlainHttpForwarder;
  let port = 0;

  beforeAll(async () => {
    up = await startUpstreamProxy({ user: 'u', pass: 'p' });
    const { upstream } = parseUpstreamProxy(`http://u:p@127.0.0.1:${up.port}`);
    const dialer = new Dialer({
      upstream,
      exceptions: [],
      exemptHostPorts: new Set(),
      connectTimeoutMs: 2000,
      resolve: fakeResolver({ 'internal.example': ['10.0.0.5', 'fd00::5'], 'public.example': ['93.184.216.34'] }),
    });
    forwarder = new PlainHttpForwarder(dialer, upstream, undefined, testLog);
    front = createServer((req, res) => forwarder.forward(req, res, parseAbsoluteHttp(req.url!)!));
    port = await listenLocal(front);
  });
  afterAll(async () => {
    forwarder?.close();
    await Promise.all([front && closeServer(front), up?.close()]);
  });

  it('refuses a name that resolves only to private addresses, before the upstream sees it', async () => {
    up.seen.length = 0;
    expect(await getThrough(port, 'http://internal.example/secret')).toBe(403);
    expect(up.seen).toEqual([]);
  });

  it('passes a name that resolves to a public address on to the upstream', async () => {
    up.seen.length = 0;
    await getThrough(port, 'http://public.example/x');
    expect(up.seen.map((s) => [s.method, s.target])).toEqual([['GET', 'http://public.example/x']]);
  });
});
