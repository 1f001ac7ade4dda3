import { describe, expect, it } from 'vitest';
import { checkHandshake } from '../../src/bridge/ws-handshake.js';

const good = { upgrade: 'WebSocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };
const check = (headers: Record<string, string>, method = 'GET') => checkHandshake({ method, headers });

describe('checkHandshake', () => {
  it('accepts a valid handshake and returns the offered subprotocols in order', () => {
    expect(check(good)).toEqual({ ok: true, protocols: [] });
    expect(check({ ...good, 'sec-websocket-protocol': 'b,  a' })).toEqual({ ok: true, protocols: ['b', 'a'] });
    expect(check({ ...good, 'sec-websocket-version': '8' }).ok).toBe(true);
  });

  it('refuses what ws would refuse, with the status ws would answer', () => {
    expect(check(good, 'POST')).toMatchObject({ ok: false, status: 405 });
    expect(check({ ...good, upgrade: 'h2c' })).toMatchObject({ ok: false, status: 400 });
    expect(check({ ...good, 'sec-websocket-key': 'not-a-key' })).toMatchObject({ ok: false, status: 400 });
    expect(check({ ...good, 'sec-websocket-version': '12' })).toMatchObject({ ok: false, status: 400, headers: ['sec-websocket-version', '13, 8'] });
    for (const p of ['a, a', 'a b', 'a,', ',a', 'a;b', '']) expect(check({ ...good, 'sec-websocket-protocol': p }), p).toMatchObject({ ok: false, status: 400 });
  });
});
