import { describe, expect, it } from 'vitest';
import { computeEntitlements, type LicenseClaims } from '../../../src/controlplane/license/entitlements.js';

const now = new Date('2026-03-01T00:00:00Z');
const s = (iso: string) => Date.parse(iso) / 1000;
const lic = (c: Partial<LicenseClaims>) => ({ id: 'l1', claims: { version: 3, license_expires: s('2027-03-01T00:00:00Z'), exp: s('2027-04-01T00:00:00Z'), ...c } });

describe('computeEntitlements', () => {
  it('has no warnings, errors or license without licenses', () => {
    const e = computeEntitlements([], 5, now);
    expect(e).toMatchObject({ warnings: [], errors: [], has_license: false });
    expect(e.features.user_limit).toEqual({ entitlement: 'not_entitled', enabled: false, actual: 5 });
  });

  it('entitles the user limit of a healthy license with nothing to warn about', () => {
    const e = computeEntitlements([lic({ features: { user_limit: 100 } })], 10, now);
    expect(e.warnings).toEqual([]);
    expect(e.errors).toEqual([]);
    expect(e.features.user_limit).toEqual({ entitlement: 'entitled', enabled: true, limit: 100, actual: 10 });
  });

  it('warns when the license term ends within 30 days', () => {
    const e = computeEntitlements([lic({ license_expires: s('2026-03-11T00:00:00Z') })], 1, now);
    expect(e.warnings).toEqual(['Your license expires in 10 days.']);
  });

  it('warns during the grace period and marks features grace_period', () => {
    const e = computeEntitlements([lic({ license_expires: s('2026-02-01T00:00:00Z'), exp: s('2026-04-01T00:00:00Z'), features: { user_limit: 10 } })], 1, now);
    expect(e.warnings).toEqual(['Your license expired on 2026-02-01; its grace period ends on 2026-04-01.']);
    expect(e.features.user_limit.entitlement).toBe('grace_period');
  });

  it('reports more active users than licensed as an error', () => {
    const e = computeEntitlements([lic({ features: { user_limit: 3 } })], 4, now);
    expect(e.errors).toEqual(['Your deployment has 4 active users but is only licensed for 3.']);
  });

  it('reports an unverifiable license and an expired one as errors', () => {
    const e = computeEntitlements(
      [
        { id: 'bad', error: 'signature verification failed' },
        lic({ license_expires: s('2025-01-01T00:00:00Z'), exp: s('2025-02-01T00:00:00Z') }),
      ],
      1,
      now,
    );
    expect(e.errors).toEqual(['Invalid license (bad) parsing claims: signature verification failed', 'License l1 expired on 2025-01-01.']);
    expect(e.has_license).toBe(false);
  });

  it('ignores a license that is not valid yet', () => {
    const e = computeEntitlements([lic({ nbf: s('2026-06-01T00:00:00Z'), features: { user_limit: 5 } })], 1, now);
    expect(e.has_license).toBe(false);
    expect(e.features.user_limit.entitlement).toBe('not_entitled');
  });
});
