import { describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../src/proxy/allowlist.js';
import { decideConnect, needsCredentials, parseConnectTarget } from '../../src/proxy/connect-verdict.js';

const providers = new Map([
  ['api.openai.com', 'openai'],
  ['api.anthropic.com', 'anthropic'],
]);
const { allowlist } = parseAllowlist(['api.openai.com', 'api.anthropic.com:443'], [80, 443, 8443], providers);

describe('decideConnect', () => {
  it.each([
    ['api.openai.com', 443, { kind: 'mitm', provider: 'openai' }],
    ['api.openai.com', 8443, { kind: 'mitm', provider: 'openai' }],
    ['api.anthropic.com', 443, { kind: 'mitm', provider: 'anthropic' }],
    ['api.anthropic.com', 8443, { kind: 'tunnel' }],
    ['github.com', 443, { kind: 'tunnel' }],
    ['github.com', 22, { kind: 'reject', reason: 'port' }],
    ['api.openai.com', 444, { kind: 'reject', reason: 'port' }],
  ])('%s:%i', (host, port, verdict) => {
    expect(decideConnect(host, port, allowlist)).toEqual(verdict);
  });
});

describe('needsCredentials', () => {
  it.each([
    [{ kind: 'mitm', provider: 'openai' } as const, false, true],
    [{ kind: 'mitm', provider: 'openai' } as const, true, true],
    [{ kind: 'tunnel' } as const, false, true],
    [{ kind: 'tunnel' } as const, true, false],
  ])('%j with allowUnauthenticatedTunnels=%s → %s', (verdict, allow, expected) => {
    expect(needsCredentials(verdict, allow)).toBe(expected);
  });
});

describe('parseConnectTarget', () => {
  it.each([
    ['api.openai.com:443', { host: 'api.openai.com', port: 443 }],
    ['API.OpenAI.com:443', { host: 'api.openai.com', port: 443 }],
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['[::1]:443', { host: '::1', port: 443 }],
    ['api.openai.com', undefined],
    ['api.openai.com:', undefined],
    ['api.openai.com:99999', undefined],
    ['https://api.openai.com:443', undefined],
    ['user@api.openai.com:443', undefined],
    ['::1:443', undefined],
    ['', undefined],
  ])('%s', (input, expected) => {
    expect(parseConnectTarget(input)).toEqual(expected);
  });
});
