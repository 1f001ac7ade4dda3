import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/index.js';
import { authenticateApiKey } from '../../src/db/queries/api-keys.js';
import { runCli } from './helpers.js';

describe('aibridge CLI', () => {
  it('prints help and the version with exit 0', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--data-dir');
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['config', 'check', '--no-such-flag'])).code).toBe(2);
  });

  it('config check reports a bad env value by key, source, value and expectation, with exit 2', async () => {
    const r = await runCli(['config', 'check'], { CODER_AIBRIDGE_CIRCUIT_BREAKER_FAILURE_THRESHOLD: 'many' });
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'aibridge.circuitBreaker.failureThreshold (env CODER_AIBRIDGE_CIRCUIT_BREAKER_FAILURE_THRESHOLD): invalid value "many": expected an integer >= 1',
    );
  });

  it('config check prints the effective config with sources and secrets redacted', async () => {
    const r = await runCli(['config', 'check', '--http-address', '127.0.0.1:4444'], { CODER_AIBRIDGE_ANTHROPIC_KEY: 'sk-ant-very-secret' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/http\.address\s+"127\.0\.0\.1:4444"\s+\(flag --http-address\)/);
    expect(r.out).toMatch(/aibridge\.anthropic\.key\s+"\[REDACTED\]"\s+\(env CODER_AIBRIDGE_ANTHROPIC_KEY\)/);
    expect(r.out).not.toContain('sk-ant-very-secret');
  });

  it('creates a user and a token on the database directly, printing only the id and the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const u = await runCli(['users', 'create', '--username', 'alice', '--email', 'alice@example.com', '--data-dir', dir]);
    expect(u.code, u.err).toBe(0);
    expect(u.out).toMatch(/^[0-9a-f-]{36}$/);
    const dup = await runCli(['users', 'create', '--username', 'alice', '--email', 'a2@example.com', '--data-dir', dir]);
    expect(dup.code).toBe(2);
    const t = await runCli(['tokens', 'create', '--user', 'alice', '--lifetime', '1h', '--data-dir', dir]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
    const db = await openPglite(join(dir, 'db'));
    try {
      const p = await authenticateApiKey(db, t.out);
      expect(p?.userId).toBe(u.out);
      expect(p!.expiresAt.getTime() - Date.now()).toBeGreaterThan(3_500_000);
      expect(p!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    } finally {
      await db.close();
    }
  });

  it('refuses a data dir held by another process and points at --url', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const holder = spawn('sleep', ['30']);
    try {
      mkdirSync(join(dir, 'db'), { recursive: true });
      writeFileSync(join(dir, 'db', 'pglite.lock'), String(holder.pid));
      const r = await runCli(['tokens', 'create', '--user', 'admin', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`is held by another aibridge process (pid ${holder.pid})`);
      expect(r.err).toContain('--url');
    } finally {
      holder.kill();
    }
  });

  it('lint-migrations passes on the shipped migrations', async () => {
    const r = await runCli(['lint-migrations']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('Migration schema references OK');
  });

  it('lint-migrations fails on a planted public. qualifier', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    writeFileSync(join(dir, '000001_x.up.sql'), 'CREATE TABLE public.x (id int);\n');
    writeFileSync(join(dir, '000001_x.down.sql'), 'DROP TABLE x;\n');
    const r = await runCli(['lint-migrations', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('000001_x.up.sql:1:');
  });
});
