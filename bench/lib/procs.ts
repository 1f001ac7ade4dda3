import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;
export const bin = join(root, 'bin', 'aibridge.js');

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<Proc>();

/** Spawns a process whose output is kept for error messages; stopped at exit if still running. */
export function startProc(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const p: Proc = {
    name,
    child,
    output: () => out,
    async stop() {
      running.delete(p);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  running.add(p);
  return p;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

process.on('exit', () => {
  for (const p of running) p.child.kill('SIGKILL');
});

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, proc?: Proc, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    } catch {
      // not ready
    }
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}) before ${what}:\n${proc.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${proc ? `:\n${proc.output().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `aibridge-bench-${prefix}-`));
}

/** Starts an aibridge command on free ports in a fresh data dir; resolves when addresses.json lists `want`. */
export async function startAibridge(
  name: string,
  command: 'serve' | 'server' | 'proxy',
  env: NodeJS.ProcessEnv,
  want: string[],
  extraArgs: string[] = [],
): Promise<{ proc: Proc; dataDir: string; addresses: Record<string, string> }> {
  const dataDir = (env.AIBRIDGE_DATA_DIR as string) ?? tmp(name);
  const addrFile = join(dataDir, 'addresses.json');
  rmSync(addrFile, { force: true });
  const args = [bin, command, '--data-dir', dataDir, '--prometheus-address', '127.0.0.1:0', '--log-level', 'warn', ...extraArgs];
  if (command !== 'proxy') args.push('--http-address', '127.0.0.1:0');
  if (command !== 'server') args.push('--proxy-listen-addr', '127.0.0.1:0');
  const proc = startProc(name, process.execPath, args, { env: { ...env, AIBRIDGE_DATA_DIR: dataDir } });
  const addresses = await waitFor(
    `${name} to listen`,
    () => {
      if (!existsSync(addrFile)) return undefined;
      const a = JSON.parse(readFileSync(addrFile, 'utf8')) as Record<string, string>;
      return want.every((k) => a[k]) ? a : undefined;
    },
    proc,
  );
  return { proc, dataDir, addresses };
}

/** Resident set size of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds (user + system) a process has used so far (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of a process and all its descendants (mitmdump, portkey spawn children). */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  try {
    total += cpuSeconds(pid);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const c of children) total += treeCpuSeconds(Number(c));
  } catch {
    // exited
  }
  return total;
}
