import type { Command } from 'commander';
import { getUserByUsernameOrId, insertApiKey, insertUser } from '../db/index.js';
import { parseDuration } from '../config/index.js';
import { UsageError } from '../errors.js';
import { apiRequest, configFromOptions, withConfigOptions, withDatabase, type Io } from './common.js';

const SITE_ROLES = ['owner', 'auditor', 'template-admin', 'user-admin', 'member'];

/**
 * `users create` and `tokens create`: scriptable, they print only the new id or token. They work
 * on the database directly, or through a running server's API with --url and CODER_SESSION_TOKEN.
 */
export function registerUserCommands(program: Command, io: Io): void {
  const users = program.command('users').description('Manage users');
  withConfigOptions(users.command('create').description('Create a user; prints its id'))
    .requiredOption('--username <name>', 'username')
    .requiredOption('--email <email>', 'email')
    .option('--password <password>', 'password (omit for token-only users)')
    .option('--role <role...>', `site roles: ${SITE_ROLES.join(', ')}`)
    .option('--url <url>', 'create through a running server (with CODER_SESSION_TOKEN)')
    .action(async (opts) => {
      const roles: string[] = (opts.role ?? []).filter((r: string) => r !== 'member');
      for (const r of roles) if (!SITE_ROLES.includes(r)) throw new UsageError(`unknown role "${r}": expected one of ${SITE_ROLES.join(', ')}`);
      if (opts.url) {
        const u = await apiRequest<{ id: string }>(opts.url, io.env.CODER_SESSION_TOKEN, 'POST', '/api/v2/users', {
          username: opts.username,
          email: opts.email,
          password: opts.password ?? '',
          login_type: opts.password ? 'password' : 'none',
          roles,
        });
        io.out(u.id);
        return;
      }
      const user = await withDatabase(configFromOptions(opts, io), async (db) => {
        if (await getUserByUsernameOrId(db, opts.username)) throw new UsageError(`user "${opts.username}" already exists`);
        return insertUser(db, { username: opts.username, email: opts.email, password: opts.password, roles });
      });
      io.out(user.id);
    });

  const tokens = program.command('tokens').description('Manage API tokens');
  withConfigOptions(tokens.command('create').description('Create an API token for a user; prints the token'))
    .requiredOption('--user <user>', 'username, email or id')
    .option('--lifetime <duration>', 'token lifetime, e.g. 720h or 30d', '30d')
    .option('--name <name>', 'token name')
    .option('--url <url>', 'create through a running server (with CODER_SESSION_TOKEN)')
    .action(async (opts) => {
      const ms = parseDuration(opts.lifetime);
      if (ms === undefined || ms < 1000) throw new UsageError(`--lifetime: "${opts.lifetime}" is not a duration such as 720h or 30d`);
      if (opts.url) {
        const k = await apiRequest<{ key: string }>(opts.url, io.env.CODER_SESSION_TOKEN, 'POST', `/api/v2/users/${encodeURIComponent(opts.user)}/keys/tokens`, {
          lifetime: ms * 1_000_000,
          token_name: opts.name ?? '',
        });
        io.out(k.key);
        return;
      }
      const key = await withDatabase(configFromOptions(opts, io), async (db) => {
        const user = await getUserByUsernameOrId(db, opts.user);
        if (!user) throw new UsageError(`no user "${opts.user}"`);
        return insertApiKey(db, { userId: user.id, lifetimeSeconds: Math.floor(ms / 1000), tokenName: opts.name });
      });
      io.out(key.token);
    });
}
