import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertAuthority } from '../../src/certs/index.js';
import {
  basic,
  BOOM_TOKEN,
  connectThrough,
  curl,
  GOOD_TOKEN,
  httpOver,
  portOf,
  rawExchange,
  responseComplete,
  StandInBridge,
  startTestProxy,
  startTlsOrigin,
  testCa,
  tlsOver,
  tmpDir,
} from './helpers.js';

const REALM = 'Proxy-Authenticate: Basic realm="Coder AI Bridge Proxy"';

function expect407(text: string): void {
  expect(text).toMatch(/^HTTP\/1\.1 407 /);
  expect(text).toContain(REALM);
  expect(text).toContain('Proxy-Connection: close');
  expect(text.endsWith('\r\n\r\nProxy Authentication Required')).toBe(true);
}

describe('proxy authentication', () => {
  const dir = tmpDir('proxy-auth-');
  let ca: CertAuthority;
  let bridge: StandInBridge;
  let origin: Awaited<ReturnType<typeof startTlsOrigin>>;
  let proxy: Awaited<ReturnType<typeof startTestProxy>>;
  let lenient: Awaited<ReturnType<typeof startTestProxy>>;

  beforeAll(async () => {
    ca = await testCa(dir);
    bridge = await new StandInBridge().start();
    origin = await startTlsOrigin();
    const o = { 'proxy.allowedPorts': [80, 443, origin.port], 'proxy.allowedPrivateCidrs': ['127.0.0.0/8'] };
    proxy = await startTestProxy(ca, bridge.url, o);
    lenient = await startTestProxy(ca, bridge.url, { ...o, 'proxy.allowUnauthenticatedTunnels': true });
  });
  afterAll(async () => {
    await Promise.all([proxy?.close(0), lenient?.close(0)]);
    await Promise.all([bridge?.close(), origin?.close()]);
  });

  const connectRaw = (port: number, target: string, auth?: string) =>
    rawExchange(port, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);

  it.each([
    ['no credentials', undefined],
    ['an unknown token', basic('not-a-token')],
    ['an empty token', basic('')],
    ['a Bearer scheme', `Bearer ${GOOD_TOKEN}`],
    ['base64 without a colon', 'Basic ' + Buffer.from(GOOD_TOKEN).toString('base64')],
    ['garbage after Basic', 'Basic !!!not base64!!!'],
  ])('answers 407 to a CONNECT to an allowlisted host with %s', async (_name, auth) => {
    const { text } = await connectRaw(portOf(proxy.address), 'api.openai.com:443', auth);
    expect407(text);
  });

  it('answers 407 to a tunnel without credentials (tunnels are authenticated too)', async () => {
    const { text } = await connectRaw(portOf(proxy.address), `localhost:${origin.port}`);
    expect407(text);
  });

  it('answers 407 to a plain http:// request without credentials', async () => {
    const r = await curl(['-i', '--proxy', `http://${proxy.address}`, 'http://api.openai.com/v1/models']);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 407/);
    expect(r.stdout.toLowerCase()).toContain('proxy-authenticate: basic realm="coder ai bridge proxy"');
    expect(r.stdout.endsWith('Proxy Authentication Required')).toBe(true);
  });

  it('accepts the scheme in any case and ignores the username', async () => {
    const auth = 'bAsIc ' + Buffer.from(`whoever:${GOOD_TOKEN}`).toString('base64');
    const { status, socket } = await connectThrough(portOf(proxy.address), 'api.openai.com:443', auth);
    socket.destroy();
    expect(status).toBe(200);
  });

  it('works with curl --proxy-user', async () => {
    const r = await curl(['--proxy', `http://${proxy.address}`, '--proxy-user', `anyone:${GOOD_TOKEN}`, '--cacert', ca.certPath, 'https://api.openai.com/v1/models']);
    expect((JSON.parse(r.stdout) as { url: string }).url).toBe('/api/v2/aibridge/openai/v1/models');
  });

  it('answers 502 with no detail when the token cannot be checked', async () => {
    const { text } = await connectRaw(portOf(proxy.address), 'api.openai.com:443', basic(BOOM_TOKEN));
    expect(text).toMatch(/^HTTP\/1\.1 502 /);
    expect(text).not.toContain('control plane');
  });

  it('lets tunnels through without credentials when the operator allows it, but still not interception', async () => {
    const tunnel = await connectThrough(portOf(lenient.address), `localhost:${origin.port}`);
    tunnel.socket.destroy();
    expect(tunnel.status).toBe(200);
    const { text } = await connectRaw(portOf(lenient.address), 'api.openai.com:443');
    expect407(text);
  });
});

describe('limits and malformed input', () => {
  const dir = tmpDir('proxy-limits-');
  let ca: CertAuthority;
  let bridge: StandInBridge;
  let proxy: Awaited<ReturnType<typeof startTestProxy>>;

  beforeAll(async () => {
    ca = await testCa(dir);
    bridge = await new StandInBridge().start();
    proxy = await startTestProxy(ca, bridge.url, { 'proxy.headerTimeout': 300 });
  });
  afterAll(async () => {
    await proxy?.close(0);
    await bridge?.close();
  });

  const port = () => portOf(proxy.address);

  it.each([
    ['a garbage request line', 400, 'THIS IS NOT HTTP\r\n\r\n'],
    ['a CONNECT without a port', 400, 'CONNECT api.openai.com HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a CONNECT to a URL', 400, 'CONNECT https://api.openai.com:443 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an origin-form request to the proxy itself', 400, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an https:// absolute URI', 400, 'GET https://api.openai.com/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['oversized headers', 431, `GET http://api.openai.com/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`],
    ['too many headers', 431, `GET http://api.openai.com/ HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 250 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`],
    ['too many headers on a CONNECT', 431, `CONNECT api.openai.com:443 HTTP/1.1\r\n${Array.from({ length: 250 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`],
  ])('answers %s with a clear %i', async (_name, status, data) => {
    const { text } = await rawExchange(port(), data);
    expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  });

  it('answers 408 when the request headers do not arrive in time', async () => {
    const { text } = await rawExchange(port(), 'CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api');
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers malformed and oversized requests inside an intercepted connection with 4xx', async () => {
    for (const [data, status] of [
      ['NOT HTTP AT ALL\r\n\r\n', 400],
      [`GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\n${Array.from({ length: 250 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`, 431],
      [`GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, 431],
    ] as const) {
      const { socket } = await connectThrough(port(), 'api.openai.com:443', basic(GOOD_TOKEN));
      const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem });
      const text = await httpOver(tls, data, (t) => responseComplete(t));
      expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      tls.destroy();
    }
  });

  it('closes an intercepted connection whose TLS handshake never starts', async () => {
    const { status, socket } = await connectThrough(port(), 'api.openai.com:443', basic(GOOD_TOKEN));
    expect(status).toBe(200);
    socket.resume();
    await new Promise((r) => socket.once('close', r));
  });

  it('answers or closes on 150 seeded garbage inputs, outside and inside TLS, without crashing', async () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rnd(256)));
    const pieces = ['CONNECT ', 'GET ', 'http://', 'api.openai.com', ':443', ':', '[', ']', ' HTTP/1.1', '\r\n', 'Host: ', 'Proxy-Authorization: Basic ', 'Content-Length: ', '-1', '99999999999', 'Transfer-Encoding: chunked', '\x00', '%00', '../', ' '];
    const inputs: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const kind = rnd(3);
      if (kind === 0) inputs.push(bytes(1 + rnd(300)));
      else inputs.push(Buffer.from(Array.from({ length: 3 + rnd(12) }, () => pieces[rnd(pieces.length)]).join('') + '\r\n\r\n', 'latin1'));
    }
    await Promise.all(inputs.map((data) => rawExchange(port(), data.toString('latin1')).then(({ text }) => expect(text === '' || /^HTTP\/1\.1 [45]\d\d /.test(text)).toBe(true))));
    // Inside an intercepted connection.
    for (let i = 0; i < 50; i++) {
      const { socket } = await connectThrough(port(), 'api.openai.com:443', basic(GOOD_TOKEN));
      const tls = await tlsOver(socket, { servername: 'api.openai.com', ca: ca.certPem });
      const text = await new Promise<string>((resolve) => {
        let t = '';
        tls.on('data', (d: Buffer) => (t += d.toString('latin1')));
        tls.on('error', () => {});
        tls.once('close', () => resolve(t));
        const junk = i % 2 ? bytes(1 + rnd(200)) : Buffer.from(Array.from({ length: 3 + rnd(10) }, () => pieces[rnd(pieces.length)]).join('') + '\r\n\r\n', 'latin1');
        tls.end(junk);
      });
      expect(text === '' || /^HTTP\/1\.1 \d\d\d /.test(text), text.slice(0, 80)).toBe(true);
    }
  });

  it('keeps serving after all of the above', async () => {
    const r = await curl(['--proxy', `http://coder:${GOOD_TOKEN}@${proxy.address}`, '--cacert', ca.certPath, 'https://api.openai.com/v1/models']);
    expect((JSON.parse(r.stdout) as { url: string }).url).toBe('/api/v2/aibridge/openai/v1/models');
  });

  it('caps open client connections', async () => {
    const capped = await startTestProxy(ca, bridge.url, { 'proxy.maxConnections': 2 });
    const sockets: Socket[] = [];
    try {
      const open = (): Promise<Socket> =>
        new Promise((resolve) => {
          const s = connect(portOf(capped.address), '127.0.0.1', () => resolve(s));
          s.on('error', () => {});
          sockets.push(s);
        });
      const [a, b] = [await open(), await open()];
      const third = await open();
      const thirdData: Buffer[] = [];
      third.on('data', (d: Buffer) => thirdData.push(d));
      third.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => third.once('close', r));
      expect(Buffer.concat(thirdData).length).toBe(0);
      // The two held connections were accepted: each still gets an answer.
      for (const s of [a, b]) {
        const text = await new Promise<string>((resolve) => {
          let t = '';
          s.on('data', (d: Buffer) => (t += d.toString()));
          s.once('close', () => resolve(t));
          s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        });
        expect(text).toMatch(/^HTTP\/1\.1 400 /);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await capped.close(0);
    }
  });
});
