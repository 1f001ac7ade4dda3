import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, RateLimiter } from '../../src/bridge/limits.js';

describe('ConcurrencyLimit', () => {
  it('admits up to its max and admits again after a release', () => {
    const l = new ConcurrencyLimit(2);
    expect([l.tryAcquire(), l.tryAcquire(), l.tryAcquire()]).toEqual([true, true, false]);
    l.release();
    expect(l.tryAcquire()).toBe(true);
    expect(l.current).toBe(2);
  });

  it('never refuses with a max of 0', () => {
    const l = new ConcurrencyLimit(0);
    for (let i = 0; i < 1000; i++) expect(l.tryAcquire()).toBe(true);
  });
});

describe('RateLimiter', () => {
  it('allows N per second per key and tells how long to wait', () => {
    let now = 10_000;
    const r = new RateLimiter(2, () => now);
    expect(r.check('a')).toEqual({ ok: true });
    expect(r.check('a')).toEqual({ ok: true });
    expect(r.check('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(r.check('b')).toEqual({ ok: true });
    now += 999;
    expect(r.check('a').ok).toBe(false);
    now += 1;
    expect(r.check('a')).toEqual({ ok: true });
  });

  it('never refuses with a rate of 0', () => {
    const r = new RateLimiter(0, () => 0);
    for (let i = 0; i < 100; i++) expect(r.check('a').ok).toBe(true);
  });
});
