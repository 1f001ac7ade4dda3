import { existsSync, readFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Logger } from '../../log.js';
import type { Store } from '../dbauthz/store.js';
import { computeEntitlements, type Entitlements, type LicenseClaims, type ParsedLicense } from './entitlements.js';
import { publishEntitlements } from './metrics.js';

/** Verification keys by `kid`; the key under `*` verifies any kid. */
export type LicenseKeys = Record<string, KeyObject>;

/** Reads a PEM key given inline or as a file path. */
export function loadPublicKey(pemOrPath: string): KeyObject {
  const text = pemOrPath.includes('-----BEGIN') ? pemOrPath : readFileSync(pemOrPath, 'utf8');
  return createPublicKey(text);
}

/** The license setting is a JWT or the path of a file holding one. */
export function readLicenseSetting(value: string): string {
  const v = value.trim();
  if (!v) return '';
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(v)) return v;
  if (existsSync(v)) return readFileSync(v, 'utf8').trim();
  return v;
}

/**
 * Verifies a license JWT (EdDSA, as Coder signs them) and returns its claims, or the reason it
 * is unusable. Expiry is judged by the entitlements, not here, so an expired license is
 * reported as expired rather than as invalid.
 */
export async function parseLicense(jwt: string, keys: LicenseKeys): Promise<ParsedLicense> {
  let id = 'unknown';
  try {
    const claims = decodeJwt(jwt) as LicenseClaims;
    id = claims.license_id ?? claims.jti ?? id;
  } catch {
    return { id, error: 'not a JWT' };
  }
  try {
    const header = decodeProtectedHeader(jwt);
    const key = (header.kid && keys[header.kid]) || keys['*'];
    if (!key) return { id, error: header.kid ? `no public key with id "${header.kid}"` : 'no license public key configured' };
    const { payload } = await jwtVerify(jwt, key, { algorithms: ['EdDSA'], clockTolerance: Number.MAX_SAFE_INTEGER });
    const claims = payload as LicenseClaims;
    if (claims.version !== undefined && claims.version !== 3) return { id, error: 'license must be version 3' };
    return { id, claims };
  } catch (err) {
    return { id, error: (err as Error).message };
  }
}

/**
 * Keeps the deployment's entitlements current: from the configured license and the uploaded
 * ones, against the count of active users; publishes them as gauges.
 */
export class LicenseService {
  private current: Entitlements = computeEntitlements([], 0, new Date());
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<Entitlements> | undefined;

  constructor(
    private readonly system: Store,
    private readonly configured: string,
    readonly keys: LicenseKeys,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  entitlements(): Entitlements {
    return this.current;
  }

  async refresh(): Promise<Entitlements> {
    const parsed: ParsedLicense[] = [];
    const jwt = readLicenseSetting(this.configured);
    if (jwt) parsed.push(await parseLicense(jwt, this.keys));
    for (const row of await this.system.licenses.getUnexpiredLicenses()) {
      const p = await parseLicense(row.jwt, this.keys);
      parsed.push({ ...p, id: p.id === 'unknown' ? row.uuid : p.id });
    }
    const active = await this.system.users.getActiveUserCount();
    this.current = computeEntitlements(parsed, active, this.now());
    publishEntitlements(this.current);
    return this.current;
  }

  /** Recomputes soon; concurrent calls share one refresh. */
  changed(): Promise<Entitlements> {
    if (!this.pending) {
      this.pending = this.refresh()
        .catch((err) => {
          this.log.warn({ err }, 'license entitlements refresh failed');
          return this.current;
        })
        .finally(() => (this.pending = undefined));
    }
    return this.pending;
  }

  start(intervalMs = 10 * 60_000): void {
    this.timer = setInterval(() => void this.changed(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
