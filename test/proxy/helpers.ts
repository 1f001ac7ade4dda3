import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { WebSocketServer } from 'ws';
import { generateCa, type CertAuthority } from '../../src/certs/index.js';
import { distinguishedName, issueCertificate, octetString, randomSerialHex, subjectKeyId } from '../../src/certs/x509.js';
import { testConfig, type Config } from '../../src/config/index.js';
import type { Principal } from '../../src/db/queries/api-keys.js';
import { registry } from '../../src/metrics/index.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { testLog } from '../helpers/log.js';

export const GOOD_TOKEN = 'good-token';
/** A token whose check throws (the control plane is down). */
export const BOOM_TOKEN = 'boom-token';

const principal: Principal = {
  userId: '00000000-0000-4000-8000-000000000001',
  username: 'alice',
  apiKeyId: 'abcdefghij',
  roles: [],
  scopes: ['all'],
  expiresAt: new Date(Date.now() + 3600_000),
};

export async function tokenCheck(t: string): Promise<Principal | undefined> {
  if (t === BOOM_TOKEN) throw new Error('control plane unreachable');
  return t === GOOD_TOKEN ? principal : undefined;
}

export function basic(token: string, user = 'coder'): string {
  return 'Basic ' + Buffer.from(`${user}:${token}`).toString('base64');
}

export function tmpDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function listenLocal(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** A test CA written to disk (for curl --cacert). */
export async function testCa(dir: string): Promise<CertAuthority> {
  const pair = await generateCa({ commonName: 'aibridge test CA' });
  const certPath = join(dir, 'ca.pem');
  writeFileSync(certPath, pair.certPem);
  return { ...pair, certPath };
}

/** A server certificate for `names` signed by a fresh CA of its own (not the MITM CA). */
export async function serverCert(names: string[]): Promise<{ cert: string; key: string; ca: string }> {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caSpki = caKeys.publicKey.export({ type: 'spki', format: 'der' });
  const caSubject = distinguishedName('origin test CA ' + randomBytes(3).toString('hex'));
  const ca = await issueCertificate(
    {
      serialHex: randomSerialHex(randomBytes(16)),
      subject: caSubject,
      notBefore: new Date(Date.now() - 86400_000),
      notAfter: new Date(Date.now() + 86400_000 * 30),
      spkiDer: caSpki,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, critical: true },
        { name: 'subjectKeyIdentifier', value: octetString(subjectKeyId(caSpki)) },
      ],
    },
    caKeys.privateKey,
  );
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cert = await issueCertificate(
    {
      serialHex: randomSerialHex(randomBytes(16)),
      issuer: caSubject,
      subject: distinguishedName(names[0]),
      notBefore: new Date(Date.now() - 86400_000),
      notAfter: new Date(Date.now() + 86400_000 * 30),
      spkiDer: keys.publicKey.export({ type: 'spki', format: 'der' }),
      extensions: [
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: names.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
      ],
    },
    caKeys.privateKey,
  );
  return { cert: cert + ca, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), ca };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A stand-in for the bridge: records each request; `/v1/stream` streams under test control. */
export class StandInBridge {
  readonly seen: SeenRequest[] = [];
  readonly server: Server;
  readonly wss = new WebSocketServer({ noServer: true });
  readonly upgrades: IncomingMessage[] = [];
  port = 0;
  private stream?: { gate: Promise<void>; started: () => void };

  constructor() {
    this.server = createHttpServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      this.upgrades.push(req);
      if (!req.url?.startsWith('/api/v2/aibridge/openai/v1/responses')) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo:${m.toString()}`)));
    });
  }

  async start(): Promise<this> {
    this.port = await listenLocal(this.server);
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Arms the next `/stream` request: it sends one chunk, then waits for release(). */
  armStream(): { started: Promise<void>; release: () => void } {
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const startedP = new Promise<void>((r) => (started = r));
    this.stream = { gate, started };
    return { started: startedP, release };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url?.includes('/v1/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        const armed = this.stream;
        this.stream = undefined;
        if (!armed) {
          res.end('data: [DONE]\n\n');
          return;
        }
        armed.started();
        void armed.gate.then(() => res.end('data: second\n\ndata: [DONE]\n\n'));
        return;
      }
      if (req.url?.includes('/v1/big')) {
        const size = Number(new URL(req.url, 'http://x').searchParams.get('size') ?? '0');
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
        res.end(Buffer.alloc(size, 7));
        return;
      }
      const out = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: body.length, bodySha: sha(body) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out), 'x-from': 'stand-in-bridge' });
      res.end(out);
    });
  }

  async close(): Promise<void> {
    this.wss.close();
    await closeServer(this.server);
  }
}

export function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A TLS origin with its own certificate (what a tunnel should reach untouched). */
export async function startTlsOrigin(names = ['localhost', '127.0.0.1']): Promise<{ port: number; ca: string; server: Server; close(): Promise<void> }> {
  const c = await serverCert(names);
  const server = createHttpsServer({ cert: c.cert, key: c.key }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-origin': 'tls-origin' });
    res.end(`origin saw ${req.method} ${req.url}`);
  });
  const port = await listenLocal(server);
  return { port, ca: c.ca, server, close: () => closeServer(server) };
}

/** A plain HTTP origin (for absolute-URI requests). */
export async function startHttpOrigin(): Promise<{ port: number; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`http origin saw ${req.method} ${req.url}`);
    });
  });
  const port = await listenLocal(server);
  return { port, seen, close: () => closeServer(server) };
}

/**
 * A small upstream proxy: CONNECT (and absolute-URI GET) with required credentials, over
 * plain HTTP or TLS; records what it was asked for.
 */
export async function startUpstreamProxy(opts: { tls?: { cert: string; key: string }; user: string; pass: string }) {
  const seen: { method: string; target: string; auth?: string }[] = [];
  const expected = 'Basic ' + Buffer.from(`${opts.user}:${opts.pass}`).toString('base64');
  const onConnect = (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ method: 'CONNECT', target: req.url!, auth: req.headers['proxy-authorization'] });
    if (req.headers['proxy-authorization'] !== expected) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = req.url!.split(':');
    const out = netConnect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) out.write(head);
      out.pipe(socket);
      socket.pipe(out);
    });
    out.on('error', () => socket.destroy());
    socket.on('error', () => out.destroy());
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method!, target: req.url!, auth: req.headers['proxy-authorization'] });
    if (req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407).end();
      return;
    }
    const u = new URL(req.url!);
    const out = netConnect(Number(u.port || 80), u.hostname, () => {
      out.write(`${req.method} ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
      out.pipe(res.socket!);
    });
    out.on('error', () => res.destroy());
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, onRequest) : createHttpServer(onRequest);
  server.on('connect', onConnect);
  const port = await listenLocal(server);
  return { port, seen, close: () => closeServer(server) };
}

/** Starts the proxy with test settings (keys of testConfig overrides). */
export async function startTestProxy(
  ca: CertAuthority,
  bridgeUrl: string,
  overrides: Record<string, unknown> = {},
): Promise<RunningProxy & { config: Config }> {
  const config = testConfig({ 'proxy.listenAddr': '127.0.0.1:0', ...overrides });
  const proxy = await startProxy({ config, ca, bridgeUrl, tokenCheck, log: testLog });
  return Object.assign(proxy, { config });
}

export function portOf(address: string): number {
  return Number(address.split(':').pop());
}

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs curl (asynchronously: the proxy runs in this process). */
export async function curl(args: string[]): Promise<CurlResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)('curl', ['-sS', '--max-time', '10', '--noproxy', '', ...args], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Sends raw bytes to the proxy and resolves with everything it answered before closing (or the first response head). */
export function rawExchange(port: number, data: string, opts: { untilHead?: boolean } = {}): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(data));
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (opts.untilHead && text.includes('\r\n\r\n')) {
        socket.removeAllListeners('data');
        socket.pause();
        resolve({ text, socket });
      }
    });
    socket.on('close', () => resolve({ text, socket }));
    socket.on('error', (err) => (text ? resolve({ text, socket }) : reject(err)));
  });
}

/** CONNECTs through the proxy; resolves with the status line and the socket (ready for TLS on 200). */
export async function connectThrough(port: number, target: string, auth?: string): Promise<{ status: number; head: string; socket: Socket }> {
  const { text, socket } = await rawExchange(
    port,
    `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
    { untilHead: true },
  );
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, head: text, socket };
}

/** TLS over an established CONNECT socket. */
export function tlsOver(socket: Socket, opts: { servername?: string; ca?: string; ALPNProtocols?: string[]; rejectUnauthorized?: boolean }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tlsConnect({ socket, servername: opts.servername, ca: opts.ca, ALPNProtocols: opts.ALPNProtocols, rejectUnauthorized: opts.rejectUnauthorized ?? true });
    t.once('secureConnect', () => resolve(t));
    t.once('error', reject);
    t.once('close', () => reject(new Error('closed before the handshake finished')));
  });
}

/** One HTTP/1.1 request over an open (decrypted) socket; resolves with the raw response once complete. */
export function httpOver(socket: TLSSocket | Socket, request: string, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      if (until(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request);
  });
}

/** Whether a raw HTTP/1.1 response (Content-Length or chunked) has fully arrived. */
export function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  if (/\r\ntransfer-encoding: *chunked/i.test(text.slice(0, end))) return text.endsWith('\r\n0\r\n\r\n');
  const len = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return len !== null && Buffer.byteLength(text.slice(end + 4)) >= Number(len[1]);
}

/** The value of one Prometheus sample, 0 when absent. */
export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metrics = await registry.getMetricsAsJSON();
  const m = metrics.find((x) => x.name === name);
  if (!m) return 0;
  const v = (m.values as { value: number; labels: Record<string, string | number> }[]).find((s) =>
    Object.entries(labels).every(([k, val]) => String(s.labels[k]) === val),
  );
  return v?.value ?? 0;
}

/** TCP ports this process is listening on, from /proc/net/tcp{,6} and its own socket fds. */
export function ownListeningPorts(): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // fd closed while listing
    }
  }
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [, local, , state] = cols;
      const inode = cols[9];
      if (state === '0A' && inodes.has(inode)) ports.add(parseInt(local.split(':')[1], 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

export { X509Certificate };
