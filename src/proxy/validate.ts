import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { parseAllowlist, type Allowlist } from './allowlist.js';
import { parseCidrs, type Cidr } from './private-address.js';
import { hostProviders, parseProviderHosts } from './providers.js';
import { parseUpstreamProxy, type UpstreamProxy } from './upstream.js';

/** Everything the proxy derives from its settings at start. */
export interface ProxySettings {
  allowlist: Allowlist;
  privateExceptions: Cidr[];
  upstream?: UpstreamProxy;
  /** PEM CA for an https:// upstream. */
  upstreamCa?: string;
  /** Non-fatal findings to log at start. */
  warnings: string[];
}

function readablePem(path: string, what: string, problems: string[]): string | undefined {
  if (!existsSync(path)) {
    problems.push(`${what}: file ${path} does not exist`);
    return undefined;
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${what}: cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Derives the proxy settings and lists every problem: allowlist (as Coder validates it),
 * upstream proxy URL and CA, private CIDR exceptions, the listener's TLS pair, the CA pair.
 */
export function resolveProxySettings(config: Config): { settings: ProxySettings; problems: string[] } {
  const p = config.proxy;
  const problems: string[] = [];
  const warnings: string[] = [];

  if (!p.listenAddr) problems.push('proxy.listenAddr: empty; the proxy needs a listen address (CODER_AIBRIDGE_PROXY_LISTEN_ADDR)');

  problems.push(...parseProviderHosts(p.providerHosts).problems);
  const { allowlist, problems: allowProblems } = parseAllowlist(p.domainAllowlist, p.allowedPorts, hostProviders(config));
  problems.push(...allowProblems);

  const { cidrs, problems: cidrProblems } = parseCidrs(p.allowedPrivateCidrs);
  problems.push(...cidrProblems);

  let upstream: UpstreamProxy | undefined;
  let upstreamCa: string | undefined;
  if (p.upstream.trim()) {
    const parsed = parseUpstreamProxy(p.upstream);
    if (parsed.problem) problems.push(parsed.problem);
    upstream = parsed.upstream;
  }
  if (p.upstreamCa) {
    if (!upstream) {
      if (!p.upstream.trim()) warnings.push('proxy.upstreamCa is set but proxy.upstream is not; the CA is ignored');
    } else if (upstream.protocol === 'http:') {
      warnings.push('proxy.upstreamCa is ignored: the upstream proxy is http://, not https://');
    } else {
      const pem = readablePem(p.upstreamCa, 'proxy.upstreamCa', problems);
      if (pem !== undefined) {
        try {
          new X509Certificate(pem);
          upstreamCa = pem;
        } catch {
          problems.push(`proxy.upstreamCa: ${p.upstreamCa} is not a PEM certificate`);
        }
      }
    }
  }

  if (Boolean(p.tlsCertFile) !== Boolean(p.tlsKeyFile)) {
    problems.push('proxy.tlsCertFile and proxy.tlsKeyFile must be set together (CODER_AIBRIDGE_PROXY_TLS_CERT_FILE, CODER_AIBRIDGE_PROXY_TLS_KEY_FILE)');
  } else if (p.tlsCertFile) {
    readablePem(p.tlsCertFile, 'proxy.tlsCertFile', problems);
    readablePem(p.tlsKeyFile, 'proxy.tlsKeyFile', problems);
  }
  if (Boolean(p.certFile) !== Boolean(p.keyFile)) {
    problems.push('proxy.certFile and proxy.keyFile must be set together (CODER_AIBRIDGE_PROXY_CERT_FILE, CODER_AIBRIDGE_PROXY_KEY_FILE)');
  }

  return { settings: { allowlist, privateExceptions: cidrs, upstream, upstreamCa, warnings }, problems };
}
