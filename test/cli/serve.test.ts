import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/index.js';
import { authenticateApiKey } from '../../src/db/queries/api-keys.js';

const bin = new URL('../../bin/aibridge.js', import.meta.url).pathname;

interface Served {
  child: ChildProcess;
  stdout: () => string;
  addresses: Record<string, string>;
  exit: Promise<number | null>;
}

/** Starts `aibridge serve` as a real process on free ports and waits until it is listening. */
async function serve(dataDir: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--data-dir', dataDir, '--http-address', '127.0.0.1:0', '--proxy-listen-addr', '127.0.0.1:0', '--prometheus-address', '127.0.0.1:0', '--log-level', 'warn'],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const addresses = JSON.parse(readFileSync(join(dataDir, 'addresses.json'), 'utf8')) as Record<string, string>;
      const res = await fetch(`http://${addresses.http}/healthz`);
      if (res.ok) return { child, stdout: () => out, addresses, exit };
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start (exit ${child.exitCode}): ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('aibridge serve', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'serve-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('starts every part, prints the lines to paste once, reuses its state on restart, and exits 0 on SIGTERM', async () => {
    const first = await serve(dataDir);
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

    const second = await serve(dataDir);
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
