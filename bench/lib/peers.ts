import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, root, startProc, tmp, waitFor, type Proc } from './procs.js';

const peersDir = join(root, 'bench', 'peers');

export interface ProxyPeer {
  name: string;
  proc: Proc;
  port: number;
  /** CA that the peer's leaf certificates chain to (for MITM peers). */
  caPem?: string;
  /** Proxy-Authorization the peer expects, if any. */
  auth?: string;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

export function peersInstalled(): boolean {
  return existsSync(join(peersDir, 'node_modules', 'http-mitm-proxy')) && existsSync(join(peersDir, 'node_modules', '@portkey-ai', 'gateway'));
}

export async function startHttpMitmProxy(backendPort: number): Promise<ProxyPeer> {
  const port = await freePort();
  const caDir = tmp('hmp');
  const proc = startProc('http-mitm-proxy', process.execPath, [join(peersDir, 'http-mitm-proxy.mjs'), String(port), String(backendPort), caDir], { cwd: peersDir });
  await waitFor('http-mitm-proxy', () => proc.output().includes('ready'), proc);
  return { name: 'http-mitm-proxy', proc, port, caPem: readFileSync(join(caDir, 'certs', 'ca.pem'), 'utf8') };
}

export function hasCommand(cmd: string): boolean {
  return ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'].some((d) => existsSync(join(d, cmd)));
}

/** mitmdump in regular mode; MITM'd requests go to the backend, `tunnelHostPort` is ignored (tunneled). */
export async function startMitmproxy(backendPort: number, tunnelHostPort?: string): Promise<ProxyPeer> {
  const port = await freePort();
  const confdir = tmp('mitmproxy');
  // Lazy: connect upstream only when a request needs it, so MITM'd hosts are never dialled.
  const args = ['--mode', 'regular', '--listen-host', '127.0.0.1', '--listen-port', String(port), '--set', `confdir=${confdir}`, '--set', 'connection_strategy=lazy', '-q', '-s', join(peersDir, 'mitm-redirect.py')];
  // mitmproxy matches ignore_hosts against the address without its port.
  if (tunnelHostPort) args.push('--ignore-hosts', `^${tunnelHostPort.split(':')[0].replace(/\./g, '\\.')}$`);
  const proc = startProc('mitmproxy', 'mitmdump', args, { env: { BENCH_BACKEND_PORT: String(backendPort) } });
  await waitFor('mitmproxy', async () => (await portOpen(port)) && existsSync(join(confdir, 'mitmproxy-ca-cert.pem')), proc);
  return { name: 'mitmproxy', proc, port, caPem: readFileSync(join(confdir, 'mitmproxy-ca-cert.pem'), 'utf8') };
}

export async function startSquid(): Promise<ProxyPeer> {
  const port = await freePort();
  const dir = tmp('squid');
  chmodSync(dir, 0o777);
  const conf = join(dir, 'squid.conf');
  writeFileSync(
    conf,
    [
      `http_port 127.0.0.1:${port}`,
      'acl localhost_src src 127.0.0.0/8',
      'http_access allow localhost_src',
      'http_access deny all',
      'cache deny all',
      'access_log none',
      `cache_log ${join(dir, 'cache.log')}`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      'cache_effective_user proxy',
      `coredump_dir ${dir}`,
      'shutdown_lifetime 0 seconds',
      '',
    ].join('\n'),
  );
  const proc = startProc('squid', 'squid', ['-N', '-f', conf]);
  await waitFor('squid', () => portOpen(port), proc);
  return { name: 'squid', proc, port };
}

export async function startGoproxy(backendPort: number, caCertFile: string, caKeyFile: string, tunnelHostPort: string): Promise<ProxyPeer | undefined> {
  const binPath = join(tmp('goproxy'), 'goproxy-peer');
  const build = startProc('go build', 'go', ['build', '-o', binPath, '.'], {
    cwd: join(peersDir, 'goproxy'),
    env: { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(tmp('gocache'), 'c') },
  });
  const code = await new Promise<number | null>((r) => build.child.once('exit', (c) => r(c)));
  if (code !== 0) return undefined;
  const port = await freePort();
  const proc = startProc('goproxy', binPath, ['-addr', `127.0.0.1:${port}`, '-backend', `127.0.0.1:${backendPort}`, '-ca-cert', caCertFile, '-ca-key', caKeyFile, '-tunnel', tunnelHostPort]);
  await waitFor('goproxy', () => portOpen(port), proc);
  return { name: 'goproxy', proc, port, caPem: readFileSync(caCertFile, 'utf8') };
}

/** Portkey's AI gateway (Node), the AI-gateway peer of the bridge rows. */
export async function startPortkey(): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = startProc('portkey', process.execPath, [join(peersDir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js'), `--port=${port}`, '--headless'], { cwd: peersDir });
  await waitFor('portkey', () => portOpen(port), proc);
  return { proc, url: `http://127.0.0.1:${port}` };
}
