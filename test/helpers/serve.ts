import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const bin = new URL('../../bin/aibridge.js', import.meta.url).pathname;

export interface Served {
  child: ChildProcess;
  /** What the process has written to stdout so far. */
  stdout(): string;
  addresses: Record<string, string>;
  /** Resolves with the exit code. */
  exit: Promise<number | null>;
}

/**
 * Starts `aibridge serve` as a real process on free ports in `dataDir`, with only PATH, HOME and
 * `env` in its environment, and waits until it answers /healthz and, when `output` is given,
 * until its stdout matches it.
 */
export async function spawnServe(dataDir: string, opts: { env?: Record<string, string>; output?: RegExp } = {}): Promise<Served> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--data-dir', dataDir, '--http-address', '127.0.0.1:0', '--proxy-listen-addr', '127.0.0.1:0', '--prometheus-address', '127.0.0.1:0', '--log-level', 'warn'],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const addrFile = join(dataDir, 'addresses.json');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if (existsSync(addrFile) && (!opts.output || opts.output.test(out))) {
        const addresses = JSON.parse(readFileSync(addrFile, 'utf8')) as Record<string, string>;
        const res = await fetch(`http://${addresses.http}/healthz`);
        if (res.ok) return { child, stdout: () => out, addresses, exit };
      }
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start (exit ${child.exitCode}): ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
