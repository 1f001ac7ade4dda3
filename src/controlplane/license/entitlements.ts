/**
 * Entitlements from licenses, after coder/coder's `enterprise/coderd/license`: a license is a
 * signed JWT (EdDSA) whose claims carry `license_expires` (end of the term; `exp` ends the grace
 * period after it), `trial`, and `features` such as `user_limit`. This file is the pure part:
 * claims, active users and the time in; warnings, errors and features out.
 */

export interface LicenseClaims {
  /** Coder puts the license id in `license_id`; `jti` is accepted too. */
  license_id?: string;
  jti?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  license_expires?: number;
  trial?: boolean;
  all_features?: boolean;
  feature_set?: string;
  version?: number;
  account_type?: string;
  account_id?: string;
  features?: Record<string, number>;
}

export interface ParsedLicense {
  id: string;
  claims?: LicenseClaims;
  /** Why the license could not be used (bad signature, bad claims). */
  error?: string;
}

export type Entitlement = 'entitled' | 'grace_period' | 'not_entitled';

export interface Feature {
  entitlement: Entitlement;
  enabled: boolean;
  limit?: number;
  actual?: number;
}

export interface Entitlements {
  features: Record<string, Feature>;
  warnings: string[];
  errors: string[];
  has_license: boolean;
  trial: boolean;
  require_telemetry: boolean;
  refreshed_at: string;
}

const DAY_MS = 86_400_000;
/** Warn this long before a license's term ends. */
export const ExpiryWarningDays = 30;

function date(s: number): string {
  return new Date(s * 1000).toISOString().slice(0, 10);
}

export function computeEntitlements(licenses: ParsedLicense[], activeUsers: number, now: Date): Entitlements {
  const out: Entitlements = {
    features: { user_limit: { entitlement: 'not_entitled', enabled: false, actual: activeUsers } },
    warnings: [],
    errors: [],
    has_license: false,
    trial: false,
    require_telemetry: false,
    refreshed_at: now.toISOString(),
  };
  const nowS = now.getTime() / 1000;
  let userLimit: { limit: number; entitlement: Entitlement } | undefined;
  for (const l of licenses) {
    if (l.error || !l.claims) {
      out.errors.push(`Invalid license (${l.id}) parsing claims: ${l.error ?? 'no claims'}`);
      continue;
    }
    const c = l.claims;
    if (c.nbf !== undefined && c.nbf > nowS) continue;
    const exp = c.exp ?? c.license_expires;
    if (exp === undefined || c.license_expires === undefined) {
      out.errors.push(`Invalid license (${l.id}) parsing claims: license missing license_expires`);
      continue;
    }
    if (exp <= nowS) {
      out.errors.push(`License ${l.id} expired on ${date(c.license_expires)}.`);
      continue;
    }
    out.has_license = true;
    if (c.trial) out.trial = true;
    const inGrace = c.license_expires <= nowS;
    const entitlement: Entitlement = inGrace ? 'grace_period' : 'entitled';
    if (inGrace) {
      out.warnings.push(`Your license expired on ${date(c.license_expires)}; its grace period ends on ${date(exp)}.`);
    } else {
      const days = Math.ceil((c.license_expires - nowS) / (DAY_MS / 1000));
      if (days <= ExpiryWarningDays) {
        const what = c.trial ? 'Your trial license' : 'Your license';
        out.warnings.push(`${what} expires in ${days} ${days === 1 ? 'day' : 'days'}.`);
      }
    }
    for (const [name, value] of Object.entries(c.features ?? {})) {
      if (name === 'user_limit') {
        if (!userLimit || value > userLimit.limit || (userLimit.entitlement === 'grace_period' && entitlement === 'entitled')) {
          userLimit = { limit: value, entitlement };
        }
      } else if (value > 0) {
        const prev = out.features[name];
        if (!prev || prev.entitlement !== 'entitled') out.features[name] = { entitlement, enabled: true, limit: value };
      }
    }
  }
  if (userLimit && userLimit.limit > 0) {
    out.features.user_limit = { entitlement: userLimit.entitlement, enabled: true, limit: userLimit.limit, actual: activeUsers };
    if (activeUsers > userLimit.limit) {
      const msg = `Your deployment has ${activeUsers} active users but is only licensed for ${userLimit.limit}.`;
      if (userLimit.entitlement === 'entitled') out.errors.push(msg);
      else out.warnings.push(msg);
    }
  }
  return out;
}
