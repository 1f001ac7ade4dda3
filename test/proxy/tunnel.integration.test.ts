import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertAuthority } from '../../src/certs/index.js';
import {
  basic,
  connectThrough,
  curl,
  GOOD_TOKEN,
  metricValue,
  portOf,
  rawExchange,
  serverCert,
  StandInBridge,
  startHttpOrigin,
  startTestProxy,
  startTlsOrigin,
  startUpstreamProxy,
  testCa,
  tlsOver,
  tmpDir,
} from './helpers.js';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('tunnels for hosts that are not allowlisted', () => {
  const dir = tmpDir('proxy-tunnel-');
  let ca: CertAuthority;
  let bridge: StandInBridge;
  let origin: Awaited<ReturnType<typeof startTlsOrigin>>;
  let httpOrigin: Awaited<ReturnType<typeof startHttpOrigin>>;
  let open: Awaited<ReturnType<typeof startTestProxy>>;
  let guarded: Awaited<ReturnType<typeof startTestProxy>>;
  let originCaFile: string;

  beforeAll(async () => {
    ca = await testCa(dir);
    bridge = await new StandInBridge().start();
    origin = await startTlsOrigin();
    httpOrigin = await startHttpOrigin();
    originCaFile = join(dir, 'origin-ca.pem');
    writeFileSync(originCaFile, origin.ca);
    const ports = [80, 443, origin.port, httpOrigin.port];
    // Loopback is a private range: tunnels reach the local origins only through the CIDR exception.
    open = await startTestProxy(ca, bridge.url, { 'proxy.allowedPorts': ports, 'proxy.allowedPrivateCidrs': ['127.0.0.0/8', '::1/128'] });
    guarded = await startTestProxy(ca, bridge.url, { 'proxy.allowedPorts': ports });
  });
  afterAll(async () => {
    await Promise.all([open?.close(0), guarded?.close(0)]);
    await Promise.all([bridge?.close(), origin?.close(), httpOrigin?.close()]);
  });

  it("reaches a local TLS server through the tunnel and sees that server's own certificate", async () => {
    const r = await curl(['-i', '--proxy', `http://coder:${GOOD_TOKEN}@${open.address}`, '--cacert', originCaFile, `https://localhost:${origin.port}/hello?x=1`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('x-origin: tls-origin');
    expect(r.stdout).toContain('origin saw GET /hello?x=1');
    const { status, socket } = await connectThrough(portOf(open.address), `localhost:${origin.port}`, basic(GOOD_TOKEN));
    expect(status).toBe(200);
    const tls = await tlsOver(socket, { servername: 'localhost', ca: origin.ca });
    const peer = tls.getPeerX509Certificate()!;
    expect(peer.checkIssued(new X509Certificate(ca.certPem))).toBe(false);
    expect(peer.checkIssued(new X509Certificate(origin.ca))).toBe(true);
    tls.destroy();
  });

  it('tunnels with undici ProxyAgent too, and counts the session as tunneled', async () => {
    const before = await metricValue('coder_aibridgeproxyd_connect_sessions_total', { type: 'tunneled' });
    const agent = new ProxyAgent({ uri: `http://${open.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: origin.ca } });
    const res = await request(`https://127.0.0.1:${origin.port}/via-undici`, { dispatcher: agent });
    expect(await res.body.text()).toBe('origin saw GET /via-undici');
    await agent.close();
    expect(await metricValue('coder_aibridgeproxyd_connect_sessions_total', { type: 'tunneled' })).toBe(before + 1);
  });

  it('refuses a tunnel to a private address with 403 and no detail', async () => {
    for (const target of [`localhost:${origin.port}`, `127.0.0.1:${origin.port}`, `[::1]:${origin.port}`]) {
      const { status, head, socket } = await connectThrough(portOf(guarded.address), target, basic(GOOD_TOKEN));
      socket.destroy();
      expect(status, target).toBe(403);
      expect(head).not.toContain('127.0.0.1');
    }
  });

  it('answers 502 when the tunnel target refuses the connection', async () => {
    const port = await closedPort();
    const p = await startTestProxy(ca, bridge.url, { 'proxy.allowedPorts': [port], 'proxy.allowedPrivateCidrs': ['127.0.0.0/8'] });
    try {
      const { status, socket } = await connectThrough(portOf(p.address), `127.0.0.1:${port}`, basic(GOOD_TOKEN));
      socket.destroy();
      expect(status).toBe(502);
    } finally {
      await p.close(0);
    }
  });

  it('refuses a port outside the allowed ports, for allowlisted and other hosts alike', async () => {
    for (const target of ['api.openai.com:8443', `localhost:${origin.port + 1 === 65536 ? 1 : origin.port + 1}`]) {
      const { status, socket } = await connectThrough(portOf(open.address), target, basic(GOOD_TOKEN));
      socket.destroy();
      expect(status, target).toBe(403);
    }
  });

  it('forwards a plain http:// request to a non-allowlisted origin', async () => {
    const r = await curl(['--proxy', `http://coder:${GOOD_TOKEN}@${open.address}`, `http://localhost:${httpOrigin.port}/plain?q=2`]);
    expect(r.stdout).toBe('http origin saw GET /plain?q=2');
    const seen = httpOrigin.seen.at(-1)!;
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers.host).toBe(`localhost:${httpOrigin.port}`);
  });

  it('refuses a plain http:// request to a private address with 403', async () => {
    const r = await curl(['-i', '--proxy', `http://coder:${GOOD_TOKEN}@${guarded.address}`, `http://localhost:${httpOrigin.port}/plain`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
  });

  it('relays a plain ws:// upgrade for an allowlisted host to the bridge, and refuses one for other hosts', async () => {
    const upgrade = (url: string, auth?: string) =>
      rawExchange(
        portOf(open.address),
        `GET ${url} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
        { untilHead: true },
      );
    const ok = await upgrade('http://api.openai.com/v1/responses', basic(GOOD_TOKEN));
    ok.socket.destroy();
    expect(ok.text).toMatch(/^HTTP\/1\.1 101 /);
    expect(bridge.upgrades.at(-1)!.headers['x-coder-token']).toBe(GOOD_TOKEN);
    const other = await upgrade(`http://localhost:${httpOrigin.port}/ws`, basic(GOOD_TOKEN));
    other.socket.destroy();
    expect(other.text).toMatch(/^HTTP\/1\.1 501 /);
    const anonymous = await upgrade('http://api.openai.com/v1/responses');
    anonymous.socket.destroy();
    expect(anonymous.text).toMatch(/^HTTP\/1\.1 407 /);
  });

  it('sends a plain http:// request for an allowlisted host to the bridge', async () => {
    const r = await curl(['--proxy', `http://coder:${GOOD_TOKEN}@${open.address}`, 'http://api.openai.com/v1/models?a=b']);
    const json = JSON.parse(r.stdout) as { url: string; headers: Record<string, string> };
    expect(json.url).toBe('/api/v2/aibridge/openai/v1/models?a=b');
    expect(json.headers['x-coder-token']).toBe(GOOD_TOKEN);
  });
});

describe('tunnels through an upstream proxy', () => {
  const dir = tmpDir('proxy-upstream-');
  let ca: CertAuthority;
  let bridge: StandInBridge;
  let origin: Awaited<ReturnType<typeof startTlsOrigin>>;
  const originCaFile = join(dir, 'origin-ca.pem');

  beforeAll(async () => {
    ca = await testCa(dir);
    bridge = await new StandInBridge().start();
    origin = await startTlsOrigin();
    writeFileSync(originCaFile, origin.ca);
  });
  afterAll(async () => {
    await Promise.all([bridge?.close(), origin?.close()]);
  });

  const overrides = (upstream: string, extra: Record<string, unknown> = {}) => ({
    'proxy.allowedPorts': [443, origin.port],
    'proxy.allowedPrivateCidrs': ['127.0.0.0/8'],
    'proxy.upstream': upstream,
    ...extra,
  });

  it('goes through an http:// upstream with its credentials', async () => {
    const up = await startUpstreamProxy({ user: 'up-user', pass: 'up-pass' });
    const p = await startTestProxy(ca, bridge.url, overrides(`http://up-user:up-pass@127.0.0.1:${up.port}`));
    try {
      const agent = new ProxyAgent({ uri: `http://${p.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: origin.ca } });
      const res = await request(`https://localhost:${origin.port}/through-http-upstream`, { dispatcher: agent });
      expect(await res.body.text()).toBe('origin saw GET /through-http-upstream');
      await agent.close();
      expect(up.seen).toEqual([{ method: 'CONNECT', target: `localhost:${origin.port}`, auth: basic('up-pass', 'up-user') }]);
    } finally {
      await p.close(0);
      await up.close();
    }
  });

  it('goes through an https:// upstream whose certificate is signed by the configured custom CA', async () => {
    const upCert = await serverCert(['127.0.0.1']);
    const upCaFile = join(dir, 'upstream-ca.pem');
    writeFileSync(upCaFile, upCert.ca);
    const up = await startUpstreamProxy({ user: 'u', pass: 's3cret', tls: upCert });
    const p = await startTestProxy(ca, bridge.url, overrides(`https://u:s3cret@127.0.0.1:${up.port}`, { 'proxy.upstreamCa': upCaFile }));
    try {
      const r = await curl(['--proxy', `http://coder:${GOOD_TOKEN}@${p.address}`, '--cacert', originCaFile, `https://localhost:${origin.port}/x`]);
      expect(r.stdout).toBe('origin saw GET /x');
      expect(up.seen.map((s) => [s.method, s.target, s.auth])).toEqual([['CONNECT', `localhost:${origin.port}`, basic('s3cret', 'u')]]);
    } finally {
      await p.close(0);
      await up.close();
    }
  });

  it('answers 502 when the https:// upstream is not signed by the configured CA', async () => {
    const upCert = await serverCert(['127.0.0.1']);
    const other = await serverCert(['127.0.0.1']);
    const wrongCa = join(dir, 'wrong-ca.pem');
    writeFileSync(wrongCa, other.ca);
    const up = await startUpstreamProxy({ user: 'u', pass: 'p', tls: upCert });
    const p = await startTestProxy(ca, bridge.url, overrides(`https://u:p@127.0.0.1:${up.port}`, { 'proxy.upstreamCa': wrongCa }));
    try {
      const { status, socket } = await connectThrough(portOf(p.address), `localhost:${origin.port}`, basic(GOOD_TOKEN));
      socket.destroy();
      expect(status).toBe(502);
      expect(up.seen).toEqual([]);
    } finally {
      await p.close(0);
      await up.close();
    }
  });

  it('answers 502 when the upstream refuses the credentials', async () => {
    const up = await startUpstreamProxy({ user: 'u', pass: 'right' });
    const p = await startTestProxy(ca, bridge.url, overrides(`http://u:wrong@127.0.0.1:${up.port}`));
    try {
      const { status, socket } = await connectThrough(portOf(p.address), `localhost:${origin.port}`, basic(GOOD_TOKEN));
      socket.destroy();
      expect(status).toBe(502);
    } finally {
      await p.close(0);
      await up.close();
    }
  });

  it('still refuses private targets when an upstream is configured', async () => {
    const up = await startUpstreamProxy({ user: 'u', pass: 'p' });
    const p = await startTestProxy(ca, bridge.url, { 'proxy.allowedPorts': [origin.port], 'proxy.upstream': `http://u:p@127.0.0.1:${up.port}` });
    try {
      const { status, socket } = await connectThrough(portOf(p.address), `localhost:${origin.port}`, basic(GOOD_TOKEN));
      socket.destroy();
      expect(status).toBe(403);
      expect(up.seen).toEqual([]);
    } finally {
      await p.close(0);
      await up.close();
    }
  });

  it('sends plain http:// requests through the upstream too, with its credentials', async () => {
    const httpOrigin = await startHttpOrigin();
    const up = await startUpstreamProxy({ user: 'u', pass: 'p' });
    const p = await startTestProxy(ca, bridge.url, overrides(`http://u:p@127.0.0.1:${up.port}`, { 'proxy.allowedPorts': [80, httpOrigin.port] }));
    try {
      const r = await curl(['--proxy', `http://coder:${GOOD_TOKEN}@${p.address}`, `http://localhost:${httpOrigin.port}/via-upstream?z=1`]);
      expect(r.stdout).toBe('http origin saw GET /via-upstream?z=1');
      expect(up.seen).toEqual([{ method: 'GET', target: `http://localhost:${httpOrigin.port}/via-upstream?z=1`, auth: basic('p', 'u') }]);
    } finally {
      await p.close(0);
      await up.close();
      await httpOrigin.close();
    }
  });

  it('sends intercepted requests to the bridge directly, never through the upstream', async () => {
    const up = await startUpstreamProxy({ user: 'u', pass: 'p' });
    const p = await startTestProxy(ca, bridge.url, overrides(`http://u:p@127.0.0.1:${up.port}`));
    try {
      const r = await curl(['--proxy', `http://coder:${GOOD_TOKEN}@${p.address}`, '--cacert', ca.certPath, 'https://api.openai.com/v1/models']);
      expect((JSON.parse(r.stdout) as { url: string }).url).toBe('/api/v2/aibridge/openai/v1/models');
      expect(up.seen).toEqual([]);
    } finally {
      await p.close(0);
      await up.close();
    }
  });
});
