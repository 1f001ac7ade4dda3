import { Gauge } from 'prom-client';
import { registry } from '../../metrics/index.js';
import type { Entitlements } from './entitlements.js';

const warnings = new Gauge({ name: 'coderd_license_warnings', help: 'The number of active license warnings.', registers: [registry] });
const errors = new Gauge({ name: 'coderd_license_errors', help: 'The number of active license errors.', registers: [registry] });
const activeUsers = new Gauge({
  name: 'coderd_license_active_users',
  help: 'The number of active users.',
  labelNames: ['entitled'],
  registers: [registry],
});
const userLimit = new Gauge({
  name: 'coderd_license_user_limit',
  help: 'The user seats limit based on the active license.',
  labelNames: ['entitled'],
  registers: [registry],
});

warnings.set(0);
errors.set(0);

/** Publishes entitlements as the license gauges (coder/coder PR #21749 and its siblings). */
export function publishEntitlements(e: Entitlements): void {
  warnings.set(e.warnings.length);
  errors.set(e.errors.length);
  const f = e.features.user_limit;
  const entitled = String(f.entitlement !== 'not_entitled');
  activeUsers.reset();
  activeUsers.set({ entitled }, f.actual ?? 0);
  userLimit.reset();
  if (f.limit !== undefined) userLimit.set({ entitled }, f.limit);
}
