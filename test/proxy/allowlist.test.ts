import { describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config/index.js';
import { allowlistedProvider, parseAllowlist, splitHostPort } from '../../src/proxy/allowlist.js';
import { hostProviders, parseProviderHosts } from '../../src/proxy/providers.js';

const providers = new Map([
  ['api.openai.com', 'openai'],
  ['api.anthropic.com', 'anthropic'],
  ['::1', 'openai'],
]);

describe('parseAllowlist', () => {
  it('expands a bare domain to every allowed port', () => {
    const { allowlist, problems } = parseAllowlist(['api.openai.com'], [80, 443], providers);
    expect(problems).toEqual([]);
    expect([...allowlist.hosts]).toEqual([
      ['api.openai.com:80', 'openai'],
      ['api.openai.com:443', 'openai'],
    ]);
  });

  it('trims and lowercases entries', () => {
    const { allowlist, problems } = parseAllowlist(['  API.OpenAI.com:443 ', 'Api.Anthropic.COM'], [443], providers);
    expect(problems).toEqual([]);
    expect([...allowlist.hosts.keys()]).toEqual(['api.openai.com:443', 'api.anthropic.com:443']);
  });

  it('keeps domain:port to that port only', () => {
    const { allowlist } = parseAllowlist(['api.openai.com:443'], [80, 443], providers);
    expect([...allowlist.hosts.keys()]).toEqual(['api.openai.com:443']);
  });

  it('accepts a bracketed IPv6 host that maps to a provider', () => {
    const { allowlist, problems } = parseAllowlist(['[::1]:443'], [443], providers);
    expect(problems).toEqual([]);
    expect(allowlistedProvider(allowlist, '::1', 443)).toBe('openai');
  });

  it.each([
    ['an empty list', [], [443], /allowlist is empty/],
    ['only blank entries', [' ', ''], [443], /allowlist is empty/],
    ['a port that is not allowed', ['api.openai.com:8443'], [80, 443], /uses port 8443, which is not in proxy.allowedPorts/],
    ['a domain with no provider', ['example.com'], [443], /"example.com" does not map to a provider/],
    ['a URL instead of a domain', ['https://api.openai.com'], [443], /is not a domain or domain:port/],
    ['a wildcard', ['*.openai.com'], [443], /is not a domain or domain:port/],
    ['a path', ['api.openai.com/v1'], [443], /is not a domain or domain:port/],
    ['a port out of range', ['api.openai.com:70000'], [443], /is not a domain or domain:port/],
    ['a non-numeric port', ['api.openai.com:https'], [443], /is not a domain or domain:port/],
    ['no allowed ports', ['api.openai.com'], [], /allowed ports is empty/],
  ])('reports %s', (_name, entries, ports, problem) => {
    const { problems } = parseAllowlist(entries, ports, providers);
    expect(problems.some((p) => problem.test(p)), problems.join('\n')).toBe(true);
  });

  it('reports every bad entry at once', () => {
    const { problems } = parseAllowlist(['example.com', 'api.openai.com:8443', 'bad/entry'], [443], providers);
    expect(problems).toHaveLength(3);
  });
});

describe('allowlistedProvider', () => {
  const { allowlist } = parseAllowlist(['api.openai.com:443', 'api.anthropic.com'], [80, 443], providers);
  it.each([
    ['api.openai.com', 443, 'openai'],
    ['API.OPENAI.COM', 443, 'openai'],
    ['api.openai.com', 80, undefined],
    ['api.anthropic.com', 80, 'anthropic'],
    ['api.openai.com.', 443, undefined],
    ['sub.api.openai.com', 443, undefined],
    ['openai.com', 443, undefined],
  ])('%s:%i → %s (exact match on host and port)', (host, port, expected) => {
    expect(allowlistedProvider(allowlist, host, port)).toBe(expected);
  });
});

describe('splitHostPort', () => {
  it.each([
    ['example.com', { host: 'example.com' }],
    ['example.com:443', { host: 'example.com', port: 443 }],
    ['10.0.0.1:80', { host: '10.0.0.1', port: 80 }],
    ['[fd00::1]:443', { host: 'fd00::1', port: 443 }],
    ['[fd00::1]', { host: 'fd00::1' }],
    ['fd00::1', undefined],
    ['[example.com]:443', undefined],
    ['a b:443', undefined],
    ['example.com:0', undefined],
    ['', undefined],
  ])('%s', (input, expected) => {
    expect(splitHostPort(input)).toEqual(expected);
  });
});

describe('hostProviders', () => {
  it('maps the default hosts to their providers', () => {
    const m = hostProviders(testConfig());
    expect(m.get('api.openai.com')).toBe('openai');
    expect(m.get('api.anthropic.com')).toBe('anthropic');
  });

  it('adds the hosts of configured base URLs, the default mapping winning', () => {
    const m = hostProviders(
      testConfig({ 'aibridge.openai.baseUrl': 'https://llm.internal:8443/v1', 'aibridge.anthropic.baseUrl': 'https://api.openai.com/' }),
    );
    expect(m.get('llm.internal')).toBe('openai');
    expect(m.get('api.openai.com')).toBe('openai');
  });

  it('adds the operator\'s provider hosts, which override the defaults', () => {
    const m = hostProviders(testConfig({ 'proxy.providerHosts': ['MyRes.openai.azure.com=openai', 'api.openai.com=anthropic'] }));
    expect(m.get('myres.openai.azure.com')).toBe('openai');
    expect(m.get('api.openai.com')).toBe('anthropic');
  });
});

describe('parseProviderHosts', () => {
  it.each([
    [['a.example=openai'], [['a.example', 'openai']], []],
    [[' B.Example=Anthropic '], [['b.example', 'anthropic']], []],
    [['a.example'], [], ['proxy.providerHosts: "a.example" is not host=provider']],
    [['a.example=gemini'], [], ['proxy.providerHosts: "a.example=gemini" names provider "gemini"; known providers: openai, anthropic']],
    [['=openai'], [], ['proxy.providerHosts: "=openai" is not host=provider']],
  ])('parses %j', (entries, pairs, problems) => {
    expect(parseProviderHosts(entries)).toEqual({ pairs, problems });
  });
});
