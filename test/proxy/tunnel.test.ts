import type { LookupAddress, LookupOptions } from 'node:dns';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialBlockedError } from '../../src/proxy/errors.js';
import { parseCidrs } from '../../src/proxy/private-address.js';
import { guardedLookup } from '../../src/proxy/tunnel.js';

/** A resolver answering from a table, one answer per call (the next call may differ: rebinding). */
function fakeResolver(answers: Record<string, string[][]>) {
  const calls: string[] = [];
  const resolve = ((host: string, _opts: LookupOptions, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
    calls.push(host);
    const next = answers[host]?.shift();
    if (!next) return cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    cb(null, next.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as typeof import('node:dns').lookup;
  return { resolve, calls };
}

function lookupOnce(fn: ReturnType<typeof guardedLookup>, host: string, all: boolean) {
  return new Promise<{ err: Error | null; address: unknown; family?: number }>((resolve) =>
    fn(host, { all }, (err, address, family) => resolve({ err, address, family })),
  );
}

describe('guardedLookup', () => {
  it('refuses a name that resolves only to private addresses', async () => {
    const { resolve } = fakeResolver({ 'internal.example': [['10.0.0.5', 'fd00::5']] });
    const r = await lookupOnce(guardedLookup([], resolve), 'internal.example', true);
    expect(r.err).toBeInstanceOf(DialBlockedError);
  });

  it('drops the private addresses of a mixed answer and dials the public ones', async () => {
    const { resolve } = fakeResolver({ 'mixed.example': [['127.0.0.1', '93.184.216.34']] });
    const r = await lookupOnce(guardedLookup([], resolve), 'mixed.example', true);
    expect(r.err).toBeNull();
    expect(r.address).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('answers in the single-address form when asked', async () => {
    const { resolve } = fakeResolver({ 'one.example': [['93.184.216.34']] });
    const r = await lookupOnce(guardedLookup([], resolve), 'one.example', false);
    expect(r).toEqual({ err: null, address: '93.184.216.34', family: 4 });
  });

  it('honours the private CIDR exceptions', async () => {
    const { resolve } = fakeResolver({ 'lab.example': [['10.1.2.3']] });
    const r = await lookupOnce(guardedLookup(parseCidrs(['10.0.0.0/8']).cidrs, resolve), 'lab.example', false);
    expect(r.address).toBe('10.1.2.3');
  });

  it('passes resolution errors through', async () => {
    const { resolve } = fakeResolver({});
    const r = await lookupOnce(guardedLookup([], resolve), 'nowhere.example', true);
    expect((r.err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

describe('the guard at dial time', () => {
  let server: ReturnType<typeof createServer>;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('checks the address the socket itself resolves, so a name that rebinds to loopback never connects', async () => {
    // First answer public (what an earlier check would have seen), then loopback at dial time.
    const { resolve, calls } = fakeResolver({ 'rebind.example': [['93.184.216.34'], ['127.0.0.1']] });
    const lookup = guardedLookup([], resolve);
    await lookupOnce(lookup, 'rebind.example', true);
    const err = await new Promise<Error>((r) => {
      const s = connect({ host: 'rebind.example', port, lookup, autoSelectFamily: false });
      s.once('error', r);
      s.once('connect', () => r(new Error('connected')));
    });
    expect(err).toBeInstanceOf(DialBlockedError);
    expect(calls).toEqual(['rebind.example', 'rebind.example']);
    expect(accepted).toBe(0);
  });
});
