import { describe, expect, it } from 'vitest';
import { bridgeRequestHeaders, originRequestHeaders, requestHasBody, stripRawResponseHeaders } from '../../src/proxy/headers.js';

const pairs = (flat: string[]) => Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);

describe('bridgeRequestHeaders', () => {
  const opts = { host: '127.0.0.1:3000', token: 'tok', requestId: 'rid' };

  it('sets Host to the bridge and adds the token and request id', () => {
    const out = bridgeRequestHeaders(['Host', 'api.openai.com', 'Authorization', 'Bearer sk', 'Content-Type', 'application/json'], opts);
    expect(pairs(out)).toEqual([
      ['host', '127.0.0.1:3000'],
      ['Authorization', 'Bearer sk'],
      ['Content-Type', 'application/json'],
      ['X-Coder-Token', 'tok'],
      ['X-Coder-AI-Governance-Request-Id', 'rid'],
    ]);
  });

  it('drops hop-by-hop headers, those named in Connection, Expect, and client copies of the proxy headers', () => {
    const out = bridgeRequestHeaders(
      [
        'Connection', 'keep-alive, X-Secret-Hop',
        'Keep-Alive', 'timeout=5',
        'Proxy-Authorization', 'Basic x',
        'Proxy-Connection', 'keep-alive',
        'TE', 'trailers',
        'Transfer-Encoding', 'chunked',
        'Upgrade', 'h2c',
        'Expect', '100-continue',
        'X-Secret-Hop', '1',
        'x-coder-token', 'forged',
        'X-Coder-AI-Governance-Request-Id', 'forged',
        'Accept', '*/*',
      ],
      opts,
    );
    expect(pairs(out)).toEqual([
      ['host', '127.0.0.1:3000'],
      ['Accept', '*/*'],
      ['X-Coder-Token', 'tok'],
      ['X-Coder-AI-Governance-Request-Id', 'rid'],
    ]);
  });

  it('keeps Upgrade and sends Connection: Upgrade for a WebSocket', () => {
    const out = bridgeRequestHeaders(['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'k'], { ...opts, upgrade: true });
    expect(pairs(out)).toEqual([
      ['host', '127.0.0.1:3000'],
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Key', 'k'],
      ['X-Coder-Token', 'tok'],
      ['X-Coder-AI-Governance-Request-Id', 'rid'],
      ['connection', 'Upgrade'],
    ]);
  });
});

describe('originRequestHeaders', () => {
  it('keeps Host and drops proxy credentials and hop-by-hop headers', () => {
    const out = originRequestHeaders(['Host', 'example.com', 'Proxy-Authorization', 'Basic x', 'Connection', 'close', 'Accept', '*/*']);
    expect(pairs(out)).toEqual([
      ['Host', 'example.com'],
      ['Accept', '*/*'],
    ]);
  });
});

describe('stripRawResponseHeaders', () => {
  it('drops hop-by-hop response headers and keeps the rest, repeated ones included', () => {
    const out = stripRawResponseHeaders([
      'Content-Type', 'text/event-stream',
      'Connection', 'keep-alive, X-Hop',
      'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked',
      'X-Hop', '1',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'Content-Length', '10',
    ]);
    expect(pairs(out)).toEqual([
      ['Content-Type', 'text/event-stream'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['Content-Length', '10'],
    ]);
  });
});

describe('requestHasBody', () => {
  it.each([
    [['Content-Length', '12'], true],
    [['content-length', '0'], false],
    [['Transfer-Encoding', 'chunked'], true],
    [['Accept', '*/*'], false],
    [[], false],
  ])('%j → %s', (raw, expected) => {
    expect(requestHasBody(raw)).toBe(expected);
  });
});
