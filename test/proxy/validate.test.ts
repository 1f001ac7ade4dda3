import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config/index.js';
import { validateProxyConfig } from '../../src/proxy/index.js';
import { resolveProxySettings } from '../../src/proxy/validate.js';
import { runCli } from '../cli/helpers.js';
import { serverCert, tmpDir } from './helpers.js';

describe('validateProxyConfig', () => {
  it('accepts the defaults', () => {
    expect(validateProxyConfig(testConfig())).toEqual([]);
  });

  it.each([
    ['an empty allowlist', { 'proxy.domainAllowlist': [] }, /allowlist is empty/],
    ['a domain with no provider', { 'proxy.domainAllowlist': ['api.openai.com', 'github.com'] }, /"github.com" does not map to a provider/],
    ['a domain:port outside the allowed ports', { 'proxy.domainAllowlist': ['api.openai.com:8443'] }, /port 8443, which is not in proxy.allowedPorts \(80,443\)/],
    ['a URL in the allowlist', { 'proxy.domainAllowlist': ['https://api.openai.com'] }, /is not a domain or domain:port/],
    ['a wildcard in the allowlist', { 'proxy.domainAllowlist': ['*.openai.com'] }, /is not a domain or domain:port/],
    ['no allowed ports', { 'proxy.allowedPorts': [] }, /allowed ports is empty/],
    ['an upstream with empty credentials', { 'proxy.upstream': 'http://:@proxy.corp:3128' }, /empty user and password/],
    ['an upstream with a bare @', { 'proxy.upstream': 'http://@proxy.corp:3128' }, /empty user and password/],
    ['a socks upstream', { 'proxy.upstream': 'socks5://proxy.corp:1080' }, /scheme socks5 is not supported/],
    ['an upstream that is not a URL', { 'proxy.upstream': 'proxy corp' }, /proxy.upstream: not a URL/],
    ['an upstream with a path', { 'proxy.upstream': 'http://proxy.corp:3128/x' }, /must not have a path/],
    ['an upstream with bad percent-encoding in its password', { 'proxy.upstream': 'http://u:50%off@proxy.corp:3128' }, /bad percent-encoding/],
    ['a missing upstream CA file', { 'proxy.upstream': 'https://proxy.corp:3128', 'proxy.upstreamCa': '/nonexistent/ca.pem' }, /proxy.upstreamCa: file \/nonexistent\/ca.pem does not exist/],
    ['a provider host for an unknown provider', { 'proxy.providerHosts': ['llm.example=gemini'] }, /"llm.example=gemini" names provider "gemini"/],
    ['a bad private CIDR', { 'proxy.allowedPrivateCidrs': ['10.0.0.0/33'] }, /"10.0.0.0\/33" is not a CIDR/],
    ['a TLS certificate without a key', { 'proxy.tlsCertFile': '/x/cert.pem' }, /tlsCertFile and proxy.tlsKeyFile must be set together/],
    ['a TLS key without a certificate', { 'proxy.tlsKeyFile': '/x/key.pem' }, /tlsCertFile and proxy.tlsKeyFile must be set together/],
    ['missing TLS files', { 'proxy.tlsCertFile': '/x/cert.pem', 'proxy.tlsKeyFile': '/x/key.pem' }, /proxy.tlsCertFile: file \/x\/cert.pem does not exist/],
    ['a CA certificate without its key', { 'proxy.certFile': '/x/ca.pem' }, /certFile and proxy.keyFile must be set together/],
    ['an empty listen address', { 'proxy.listenAddr': '' }, /proxy.listenAddr: empty/],
  ])('reports %s', (_name, overrides, problem) => {
    const problems = validateProxyConfig(testConfig(overrides));
    expect(problems.some((p) => problem.test(p)), problems.join('\n')).toBe(true);
  });

  it('reports an upstream CA file that is not a certificate', () => {
    const dir = tmpDir('validate-');
    const f = join(dir, 'junk.pem');
    writeFileSync(f, 'not a certificate');
    expect(validateProxyConfig(testConfig({ 'proxy.upstream': 'https://proxy.corp:3128', 'proxy.upstreamCa': f }))).toEqual([
      `proxy.upstreamCa: ${f} is not a PEM certificate`,
    ]);
  });

  it('accepts an allowlisted host mapped by proxy.providerHosts', () => {
    expect(validateProxyConfig(testConfig({ 'proxy.providerHosts': ['llm.example=openai'], 'proxy.domainAllowlist': ['llm.example'] }))).toEqual([]);
  });

  it('accepts an allowlisted host taken from a configured base URL', () => {
    const config = testConfig({ 'aibridge.openai.baseUrl': 'https://llm.internal:8443/v1', 'proxy.domainAllowlist': ['llm.internal:8443'], 'proxy.allowedPorts': [443, 8443] });
    expect(validateProxyConfig(config)).toEqual([]);
    expect([...resolveProxySettings(config).settings.allowlist.hosts]).toEqual([['llm.internal:8443', 'openai']]);
  });

  it('lists every problem at once', () => {
    const problems = validateProxyConfig(
      testConfig({ 'proxy.domainAllowlist': ['github.com'], 'proxy.upstream': 'http://:@x:1', 'proxy.allowedPrivateCidrs': ['nope'] }),
    );
    expect(problems).toHaveLength(3);
  });

  it('warns, without failing, that an upstream CA is ignored for an http:// upstream', async () => {
    const c = await serverCert(['127.0.0.1']);
    const dir = tmpDir('validate-');
    const f = join(dir, 'ca.pem');
    writeFileSync(f, c.ca);
    const { settings, problems } = resolveProxySettings(testConfig({ 'proxy.upstream': 'http://u:p@proxy.corp:3128', 'proxy.upstreamCa': f }));
    expect(problems).toEqual([]);
    expect(settings.upstreamCa).toBeUndefined();
    expect(settings.warnings).toEqual(['proxy.upstreamCa is ignored: the upstream proxy is http://, not https://']);
  });

  it('loads the upstream CA for an https:// upstream', async () => {
    const c = await serverCert(['127.0.0.1']);
    const dir = tmpDir('validate-');
    const f = join(dir, 'ca.pem');
    writeFileSync(f, c.ca);
    const { settings, problems } = resolveProxySettings(testConfig({ 'proxy.upstream': 'https://u:p@proxy.corp:3128', 'proxy.upstreamCa': f }));
    expect(problems).toEqual([]);
    expect(settings.upstreamCa).toBe(c.ca);
    expect(settings.upstream?.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
  });

  it('makes `aibridge config check` exit 2 with every problem', async () => {
    const r = await runCli(['config', 'check'], { CODER_AIBRIDGE_PROXY_DOMAIN_ALLOWLIST: 'api.openai.com:8443,github.com', CODER_AIBRIDGE_PROXY_UPSTREAM: 'http://:@proxy:1' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('port 8443, which is not in proxy.allowedPorts');
    expect(r.err).toContain('"github.com" does not map to a provider');
    expect(r.err).toContain('empty user and password');
  });

  it('never echoes upstream credentials in a problem', () => {
    const problems = validateProxyConfig(testConfig({ 'proxy.upstream': 'socks5://user:hunter2@proxy:1080' }));
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
