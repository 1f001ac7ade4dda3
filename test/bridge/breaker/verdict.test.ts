import { describe, expect, it } from 'vitest';
import { isBreakerFailure, retryAfterSeconds } from '../../../src/bridge/breaker/verdict.js';

describe('isBreakerFailure', () => {
  it.each([
    [200, [], false],
    [400, [], false],
    [401, [], false],
    [429, [], true],
    [500, [], false],
    [502, [], false],
    [503, [], true],
    [504, [], true],
    [529, [], false],
    [529, [529], true],
  ])('status %i with extra %j → %s', (status, extra, want) => {
    expect(isBreakerFailure(status, extra)).toBe(want);
  });

  it('rounds the open timeout up to whole seconds for Retry-After', () => {
    expect(retryAfterSeconds(30_000)).toBe(30);
    expect(retryAfterSeconds(1_500)).toBe(2);
    expect(retryAfterSeconds(10)).toBe(1);
  });
});
