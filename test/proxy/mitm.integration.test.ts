import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CertAuthority } from '../../src/certs/index.js';
import {
  basic,
  connectThrough,
  curl,
  GOOD_TOKEN,
  httpOver,
  responseComplete,
  metricValue,
  ownListeningPorts,
  portOf,
  sha,
  StandInBridge,
  startTestProxy,
  testCa,
  tlsOver,
  tmpDir,
} from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('MITM of allowlisted hosts', () => {
  const dir = tmpDir('proxy-mitm-');
  let ca: CertAuthority;
  let bridge: StandInBridge;
  let proxy: Awaited<ReturnType<typeof startTestProxy>>;
  let proxyUrl: string;

  beforeAll(async () => {
    ca = await testCa(dir);
    bridge = await new StandInBridge().start();
    proxy = await startTestProxy(ca, bridge.url);
    proxyUrl = `http://coder:${GOOD_TOKEN}@${proxy.address}`;
  });
  afterAll(async () => {
    await proxy?.close(0);
    await bridge?.close();
  });

  it('sends a curl request for api.openai.com to the bridge with the rewritten path, the query, the token and a request id', async () => {
    const before = bridge.seen.length;
    const r = await curl(['--proxy', proxyUrl, '--cacert', ca.certPath, 'https://api.openai.com/v1/models?limit=2&order=desc']);
    expect(r.stderr).toBe('');
    const body = JSON.parse(r.stdout) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/api/v2/aibridge/openai/v1/models?limit=2&order=desc');
    expect(body.headers['x-coder-token']).toBe(GOOD_TOKEN);
    expect(body.headers['x-coder-ai-governance-request-id']).toMatch(UUID);
    expect(body.headers.host).toBe(`127.0.0.1:${bridge.port}`);
    expect(body.headers['proxy-authorization']).toBeUndefined();
    expect(bridge.seen.length).toBe(before + 1);
  });

  it('presents a leaf issued by our CA for the CONNECT host, with the CA in the chain, serverAuth, and a validity of now-30d to now+365d', async () => {
    const { status, socket } = await connectThrough(portOf(proxy.address), 'api.anthropic.com:443', basic(GOOD_TOKEN));
    expect(status).toBe(200);
    const tls = await tlsOver(socket, { servername: 'api.anthropic.com', ca: ca.certPem });
    expect(tls.authorized).toBe(true);
    const peer = tls.getPeerX509Certificate()!;
    const caCert = new X509Certificate(ca.certPem);
    expect(peer.subject).toBe('CN=api.anthropic.com');
    expect(peer.subjectAltName).toBe('DNS:api.anthropic.com');
    expect(peer.checkIssued(caCert)).toBe(true);
    expect(peer.verify(caCert.publicKey)).toBe(true);
    expect(peer.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    const day = 86400_000;
    expect(Math.abs(new Date(peer.validFrom).getTime() - (Date.now() - 30 * day))).toBeLessThan(day);
    expect(Math.abs(new Date(peer.validTo).getTime() - (Date.now() + 365 * day))).toBeLessThan(day);
    tls.destroy();
    // A client that does not trust our CA sees only what the server sent: the leaf and the CA.
    const second = await connectThrough(portOf(proxy.address), 'api.anthropic.com:443', basic(GOOD_TOKEN));
    const untrusting = await tlsOver(second.socket, { servername: 'api.anthropic.com', rejectUnauthorized: false });
    expect(untrusting.authorized).toBe(false);
    expect(untrusting.getPeerX509Certificate()!.issuerCertificate?.fingerprint256).toBe(caCert.fingerprint256);
    untrusting.destroy();
  });

  it('offers http/1.1 over ALPN even when the client prefers h2', async () => {
    const { socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', basic(GOOD_TOKEN));
    const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem, ALPNProtocols: ['h2', 'http/1.1'] });
    expect(tls.alpnProtocol).toBe('http/1.1');
    tls.destroy();
  });

  it('closes the connection when the SNI names another host than the CONNECT', async () => {
    const { status, socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', basic(GOOD_TOKEN));
    expect(status).toBe(200);
    await expect(tlsOver(socket, { servername: 'evil.example.com', rejectUnauthorized: false })).rejects.toThrow();
  });

  it('closes the connection without answering when the client sends no SNI for a named host', async () => {
    const { socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', basic(GOOD_TOKEN));
    // An empty servername makes Node send no SNI extension.
    const tls = await tlsOver(socket, { servername: '', rejectUnauthorized: false });
    const received: Buffer[] = [];
    tls.on('data', (d: Buffer) => received.push(d));
    tls.on('error', () => {});
    tls.write('GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\n\r\n');
    await new Promise((r) => tls.once('close', r));
    expect(Buffer.concat(received).length).toBe(0);
  });

  it('keeps one decrypted connection alive across requests, each with its own request id', async () => {
    const { socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', basic(GOOD_TOKEN));
    const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem });
    const ids: string[] = [];
    for (const path of ['/v1/a', '/v1/b']) {
      const raw = await httpOver(tls, `GET ${path} HTTP/1.1\r\nHost: api.openai.com\r\n\r\n`, responseComplete);
      const json = JSON.parse(raw.slice(raw.indexOf('{'))) as { url: string; headers: Record<string, string> };
      expect(json.url).toBe(`/api/v2/aibridge/openai${path}`);
      ids.push(json.headers['x-coder-ai-governance-request-id']);
    }
    expect(new Set(ids).size).toBe(2);
    tls.destroy();
  });

  it('forwards a POST body from undici ProxyAgent with the CA to the anthropic route and returns the answer', async () => {
    const agent = new ProxyAgent({ uri: `http://${proxy.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: ca.certPem } });
    const payload = JSON.stringify({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    const res = await request('https://api.anthropic.com/v1/messages?beta=true', {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-user' },
      body: payload,
    });
    const json = (await res.body.json()) as { method: string; url: string; headers: Record<string, string>; bodySha: string };
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-from']).toBe('stand-in-bridge');
    expect(json.method).toBe('POST');
    expect(json.url).toBe('/api/v2/aibridge/anthropic/v1/messages?beta=true');
    expect(json.bodySha).toBe(sha(Buffer.from(payload)));
    expect(json.headers['x-api-key']).toBe('sk-user');
    expect(json.headers['x-coder-token']).toBe(GOOD_TOKEN);
    await agent.close();
  });

  it('streams a large upload and a large download through intact', async () => {
    const agent = new ProxyAgent({ uri: `http://${proxy.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: ca.certPem } });
    const upload = Buffer.alloc(5 * 1024 * 1024, 'a');
    const up = await request('https://api.openai.com/v1/files', { dispatcher: agent, method: 'POST', body: upload });
    const upJson = (await up.body.json()) as { bodyLength: number; bodySha: string };
    expect(upJson.bodyLength).toBe(upload.length);
    expect(upJson.bodySha).toBe(sha(upload));
    const down = await request('https://api.openai.com/v1/big?size=8000000', { dispatcher: agent });
    const data = Buffer.from(await down.body.arrayBuffer());
    expect(data.length).toBe(8_000_000);
    expect(data.every((b) => b === 7)).toBe(true);
    await agent.close();
  });

  it('answers Expect: 100-continue itself and forwards the body', async () => {
    const body = 'x'.repeat(300_000);
    writeFileSync(join(dir, 'body.json'), body);
    const r = await curl(['--proxy', proxyUrl, '--cacert', ca.certPath, '-H', 'Expect: 100-continue', '-H', 'Content-Type: application/json', '--data-binary', `@${join(dir, 'body.json')}`, 'https://api.openai.com/v1/chat/completions']);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as { bodyLength: number; headers: Record<string, string> };
    expect(json.bodyLength).toBe(body.length);
    expect(json.headers.expect).toBeUndefined();
  });

  it('handles a TLS ClientHello sent right behind the CONNECT, before the 200', async () => {
    const socket = connect(portOf(proxy.address), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    // Strips the proxy's 200 from what the TLS client reads; writes pass straight through.
    let head = '';
    const wire = new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        socket.write(chunk, cb);
      },
    });
    socket.on('data', (d: Buffer) => {
      if (head !== null && !head.endsWith('\r\n\r\n')) {
        head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        head = head.slice(0, end + 4);
        if (rest.length) wire.push(rest);
        return;
      }
      wire.push(d);
    });
    socket.write(`CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\nProxy-Authorization: ${basic(GOOD_TOKEN)}\r\n\r\n`);
    const tls = await tlsOver(wire as unknown as Socket, { servername: 'api.openai.com', ca: ca.certPem });
    const raw = await httpOver(tls, 'GET /v1/pipelined HTTP/1.1\r\nHost: api.openai.com\r\n\r\n', responseComplete);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw).toContain('"url":"/api/v2/aibridge/openai/v1/pipelined"');
    tls.destroy();
    socket.destroy();
  });

  it('delivers the first streamed chunk before the bridge finishes the response', async () => {
    const agent = new ProxyAgent({ uri: `http://${proxy.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: ca.certPem } });
    const gate = bridge.armStream();
    const res = await request('https://api.openai.com/v1/stream', { dispatcher: agent, method: 'POST', body: '{}' });
    const it = res.body[Symbol.asyncIterator]();
    const first = await it.next();
    expect(Buffer.from(first.value as Buffer).toString()).toBe('data: first\n\n');
    // The bridge is still holding the rest back: nothing more can have arrived yet.
    gate.release();
    let rest = '';
    for (let r = await it.next(); !r.done; r = await it.next()) rest += Buffer.from(r.value as Buffer).toString();
    expect(rest).toBe('data: second\n\ndata: [DONE]\n\n');
    await agent.close();
  });

  it('relays a WebSocket upgrade to the bridge with the token and echoes both ways', async () => {
    const { socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', basic(GOOD_TOKEN));
    const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem });
    const ws = new WebSocket('wss://api.openai.com/v1/responses', { createConnection: () => tls });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())));
    ws.send('hello');
    expect(await reply).toBe('echo:hello');
    const up = bridge.upgrades.at(-1)!;
    expect(up.url).toBe('/api/v2/aibridge/openai/v1/responses');
    expect(up.headers['x-coder-token']).toBe(GOOD_TOKEN);
    expect(up.headers['x-coder-ai-governance-request-id']).toMatch(UUID);
    ws.close();
  });

  it('passes a refused upgrade back to the client as the bridge answered it', async () => {
    const { socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', basic(GOOD_TOKEN));
    const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem });
    const raw = await httpOver(
      tls,
      'GET /v1/other HTTP/1.1\r\nHost: api.openai.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      (t) => t.includes('not found'),
    );
    expect(raw).toMatch(/^HTTP\/1\.1 404/);
    tls.destroy();
  });

  it('counts sessions, requests and responses under Coder metric names', async () => {
    const sessions = await metricValue('coder_aibridgeproxyd_connect_sessions_total', { type: 'mitm' });
    const requests = await metricValue('coder_aibridgeproxyd_mitm_requests_total', { provider: 'openai' });
    const ok = await metricValue('coder_aibridgeproxyd_mitm_responses_total', { code: '200', provider: 'openai' });
    await curl(['--proxy', proxyUrl, '--cacert', ca.certPath, 'https://api.openai.com/v1/models']);
    expect(await metricValue('coder_aibridgeproxyd_connect_sessions_total', { type: 'mitm' })).toBe(sessions + 1);
    expect(await metricValue('coder_aibridgeproxyd_mitm_requests_total', { provider: 'openai' })).toBe(requests + 1);
    expect(await metricValue('coder_aibridgeproxyd_mitm_responses_total', { code: '200', provider: 'openai' })).toBe(ok + 1);
    expect(await metricValue('coder_aibridgeproxyd_inflight_mitm_requests', { provider: 'openai' })).toBe(0);
  });

  it('binds no listener besides the configured one while decrypting traffic', async () => {
    const before = ownListeningPorts();
    expect(before).toContain(portOf(proxy.address));
    const agent = new ProxyAgent({ uri: `http://${proxy.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: ca.certPem } });
    const gate = bridge.armStream();
    // A decrypted request held open mid-response, on a host never seen before by this proxy.
    const res = await request('https://api.openai.com:443/v1/stream', { dispatcher: agent, method: 'POST', body: '{}' });
    await gate.started;
    const during = ownListeningPorts();
    gate.release();
    await res.body.text();
    await agent.close();
    expect(during).toEqual(before);
    // Everything this process listens on was opened by this test file: the proxy and the bridge stand-in.
    expect(during).toEqual([portOf(proxy.address), bridge.port].sort((a, b) => a - b));
  });

  it('answers 502 in plain text when the bridge cannot be reached', async () => {
    const deadBridge = new StandInBridge();
    await deadBridge.start();
    const url = deadBridge.url;
    await deadBridge.close();
    const p2 = await startTestProxy(ca, url);
    try {
      const r = await curl(['-i', '--proxy', `http://coder:${GOOD_TOKEN}@${p2.address}`, '--cacert', ca.certPath, 'https://api.openai.com/v1/models']);
      expect(r.stdout).toMatch(/HTTP\/1\.1 502/);
      expect(r.stdout.trim().endsWith('Bad Gateway')).toBe(true);
    } finally {
      await p2.close(0);
    }
  });
});

describe('leaf minting under concurrency', () => {
  it('mints one leaf for 50 concurrent first requests to one new host', async () => {
    const dir = tmpDir('proxy-mint-');
    const ca = await testCa(dir);
    const bridge = await new StandInBridge().start();
    const proxy = await startTestProxy(ca, bridge.url);
    try {
      const misses = await metricValue('coder_aibridgeproxyd_cert_cache_misses_total');
      const minted = proxy.leaves!.minted;
      const port = portOf(proxy.address);
      const results = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const { status, socket } = await connectThrough(port, 'api.openai.com:443', basic(GOOD_TOKEN));
          const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem });
          const fp = tls.getPeerX509Certificate()!.fingerprint256;
          tls.destroy();
          return { status, fp };
        }),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(new Set(results.map((r) => r.fp)).size).toBe(1);
      expect(proxy.leaves!.minted - minted).toBe(1);
      expect((await metricValue('coder_aibridgeproxyd_cert_cache_misses_total')) - misses).toBe(1);
    } finally {
      await proxy.close(0);
      await bridge.close();
    }
  });
});

describe('proxy listener over TLS', () => {
  it('serves CONNECT over an https:// proxy URL and intercepts inside it', async () => {
    const dir = tmpDir('proxy-tls-');
    const ca = await testCa(dir);
    const bridge = await new StandInBridge().start();
    const { serverCert } = await import('./helpers.js');
    const listenerCert = await serverCert(['127.0.0.1']);
    writeFileSync(join(dir, 'listener.pem'), listenerCert.cert);
    writeFileSync(join(dir, 'listener.key'), listenerCert.key);
    writeFileSync(join(dir, 'listener-ca.pem'), listenerCert.ca);
    const proxy = await startTestProxy(ca, bridge.url, {
      'proxy.tlsCertFile': join(dir, 'listener.pem'),
      'proxy.tlsKeyFile': join(dir, 'listener.key'),
    });
    try {
      const r = await curl([
        '--proxy',
        `https://coder:${GOOD_TOKEN}@${proxy.address}`,
        '--proxy-cacert',
        join(dir, 'listener-ca.pem'),
        '--cacert',
        ca.certPath,
        'https://api.openai.com/v1/models',
      ]);
      expect(r.stderr).toBe('');
      expect((JSON.parse(r.stdout) as { url: string }).url).toBe('/api/v2/aibridge/openai/v1/models');
    } finally {
      await proxy.close(0);
      await bridge.close();
    }
  });
});

describe('shutdown', () => {
  it('lets an in-flight stream finish within the grace period, then stops', async () => {
    const dir = tmpDir('proxy-close-');
    const ca = await testCa(dir);
    const bridge = await new StandInBridge().start();
    const proxy = await startTestProxy(ca, bridge.url);
    const agent = new ProxyAgent({ uri: `http://${proxy.address}`, token: basic(GOOD_TOKEN), requestTls: { ca: ca.certPem } });
    try {
      const gate = bridge.armStream();
      const res = await request('https://api.openai.com/v1/stream', { dispatcher: agent, method: 'POST', body: '{}' });
      await gate.started;
      const closed = proxy.close(10_000);
      gate.release();
      expect(await res.body.text()).toBe('data: first\n\ndata: second\n\ndata: [DONE]\n\n');
      await closed;
      expect(ownListeningPorts()).not.toContain(portOf(proxy.address));
    } finally {
      await agent.destroy();
      await proxy.close(0);
      await bridge.close();
    }
  });
});
