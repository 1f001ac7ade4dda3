import { Command, Option } from 'commander';
import { loadConfig, settings, type LoadedConfig } from '../config/index.js';
import { migrateUp, openDatabase, type Database } from '../db/index.js';
import { UsageError } from '../errors.js';

/** Where commands write; tests capture these. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  env: process.env,
};

/** Adds `--config` and every setting that has a flag. */
export function withConfigOptions(cmd: Command): Command {
  cmd.option('-c, --config <file>', 'YAML config file (or AIBRIDGE_CONFIG)');
  for (const s of settings) {
    if (!s.flag) continue;
    cmd.addOption(new Option(`--${s.flag} <value>`, `${s.description} [env ${s.env[0]}]`));
  }
  return cmd;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Loads the config from defaults, the file, env and the command's flags. */
export function configFromOptions(opts: Record<string, unknown>, io: Io): LoadedConfig {
  const flags: Record<string, string | undefined> = {};
  for (const s of settings) {
    if (s.flag && opts[camel(s.flag)] !== undefined) flags[s.key] = String(opts[camel(s.flag)]);
  }
  return loadConfig({ configFile: opts.config as string | undefined, env: io.env, flags });
}

/** Opens the configured database, migrated, runs fn and closes it. */
export async function withDatabase<T>(loaded: LoadedConfig, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loaded.config);
  try {
    await migrateUp(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A small client for the `--url` forms of the CLI (a running server's REST API). */
export async function apiRequest<T>(
  baseUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  if (!token) throw new UsageError('--url needs CODER_SESSION_TOKEN set to an API token');
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'Coder-Session-Token': token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      const j = JSON.parse(text) as { message?: string; detail?: string };
      msg = [j.message, j.detail].filter(Boolean).join(': ');
    } catch {
      // not JSON: show it as it is
    }
    throw new Error(`${method} ${path}: ${res.status} ${msg}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
