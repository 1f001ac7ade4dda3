import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/index.js';
import { authenticateApiKey } from '../../src/db/queries/api-keys.js';
import { spawnServe } from '../helpers/serve.js';

describe('aibridge serve', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'serve-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('starts every part, prints the lines to paste once, reuses its state on restart, and exits 0 on SIGTERM', async () => {
    const first = await spawnServe(dataDir, { output: /HTTPS_PROXY=/ });
    children.push(first.child);
    expect(Object.keys(first.addresses).sort()).toEqual(['http', 'metrics', 'proxy']);
    const ca = join(dataDir, 'ca', 'ca.pem');
    const out = first.stdout();
    const token = /export HTTPS_PROXY=http:\/\/coder:([a-zA-Z0-9]{10}-[a-zA-Z0-9]{22})@127\.0\.0\.1:(\d+)/.exec(out);
    expect(token, out).not.toBeNull();
    expect(token![2]).toBe(first.addresses.proxy.split(':')[1]);
    expect(out).toContain(`NODE_EXTRA_CA_CERTS=${ca}`);
    expect(out).toContain(`CODEX_CA_CERTIFICATE=${ca}`);
    expect(out).toContain(`REQUESTS_CA_BUNDLE=${ca}`);
    expect(out).toContain(`--cacert ${ca}`);
    const caPem = readFileSync(ca, 'utf8');
    expect(caPem).toContain('BEGIN CERTIFICATE');

    const metrics = await (await fetch(`http://${first.addresses.metrics}/metrics`)).text();
    expect(metrics).toContain('coderd_db_query_counts_total');
    expect(metrics).toContain('process_cpu_seconds_total');

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = await spawnServe(dataDir);
    children.push(second.child);
    expect(second.stdout()).not.toContain('HTTPS_PROXY=');
    expect(readFileSync(ca, 'utf8')).toBe(caPem);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);

    // The database survived both runs: the bootstrap token still authenticates the admin.
    const db = await openPglite(join(dataDir, 'db'));
    try {
      const p = await authenticateApiKey(db, token![1]);
      expect(p?.username).toBe('admin');
      expect(p?.roles).toContain('owner');
    } finally {
      await db.close();
    }
  }, 120_000);
});
