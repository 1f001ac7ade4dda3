import { randomBytes } from 'node:crypto';
import { LockKeys, type Database } from '../db/index.js';
import { insertApiKey } from '../db/queries/api-keys.js';
import { countUsers, ensureDefaultOrganization, insertUser } from '../db/queries/users.js';

export interface BootstrapResult {
  username: string;
  email: string;
  password: string;
  token: string;
}

/** One year: the bootstrap token is the one an operator pastes into HTTPS_PROXY. */
const BOOTSTRAP_TOKEN_LIFETIME_S = 365 * 24 * 3600;

/**
 * On a database with no user, creates the default organization, an owner `admin` with a
 * random password and an API token, and returns them (shown once). Returns undefined when
 * users already exist. Runs under the migration lock so two replicas starting at once create
 * one admin.
 */
export async function bootstrapFirstUser(db: Database): Promise<BootstrapResult | undefined> {
  return db.withAdvisoryLock(LockKeys.migrate, async (q) => {
    await ensureDefaultOrganization(q);
    if ((await countUsers(q)) > 0) return undefined;
    const password = randomBytes(12).toString('base64url');
    const user = await insertUser(q, { username: 'admin', email: 'admin@aibridge.local', password, roles: ['owner'] });
    const key = await insertApiKey(q, { userId: user.id, lifetimeSeconds: BOOTSTRAP_TOKEN_LIFETIME_S, tokenName: 'bootstrap' });
    return { username: user.username, email: user.email, password, token: key.token };
  });
}
