import { isIP } from 'node:net';

/** Which host:port pairs are intercepted, and for which provider. */
export interface Allowlist {
  /** Ports the proxy connects to at all. */
  ports: ReadonlySet<number>;
  /** `host:port` (host lowercased, IPv6 without brackets) → provider. */
  hosts: ReadonlyMap<string, string>;
}

const LABEL = '[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** Splits `host`, `host:port`, `[v6]` or `[v6]:port`; undefined when it is neither. */
export function splitHostPort(entry: string): { host: string; port?: number } | undefined {
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) {
    host = v6[1];
    portText = v6[2];
    if (isIP(host) !== 6) return undefined;
  } else {
    const parts = entry.split(':');
    if (parts.length > 2) return undefined;
    [host, portText] = parts;
    if (!DOMAIN.test(host) && isIP(host) !== 4) return undefined;
  }
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

export function allowlistKey(host: string, port: number): string {
  return `${host}:${port}`;
}

/**
 * Parses `proxy.domainAllowlist` as Coder validates it at start: entries are trimmed and
 * lowercased; `domain:port` must use an allowed port; a bare domain stands for every allowed
 * port; an empty list is an error; every domain must map to a provider. Returns the allowlist
 * and every problem found.
 */
export function parseAllowlist(
  entries: readonly string[],
  allowedPorts: readonly number[],
  providers: ReadonlyMap<string, string>,
): { allowlist: Allowlist; problems: string[] } {
  const problems: string[] = [];
  const ports = new Set(allowedPorts);
  const hosts = new Map<string, string>();
  if (ports.size === 0) problems.push('proxy.allowedPorts: the list of allowed ports is empty');
  const cleaned = entries.map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  if (cleaned.length === 0) problems.push('proxy.domainAllowlist: the allowlist is empty; list at least one domain (e.g. api.openai.com)');
  for (const entry of cleaned) {
    const hp = splitHostPort(entry);
    if (!hp) {
      problems.push(`proxy.domainAllowlist: "${entry}" is not a domain or domain:port`);
      continue;
    }
    const provider = providers.get(hp.host);
    if (!provider) {
      problems.push(`proxy.domainAllowlist: "${hp.host}" does not map to a provider (known hosts: ${[...providers.keys()].join(', ')})`);
      continue;
    }
    if (hp.port !== undefined) {
      if (!ports.has(hp.port)) {
        problems.push(`proxy.domainAllowlist: "${entry}" uses port ${hp.port}, which is not in proxy.allowedPorts (${[...ports].join(',')})`);
        continue;
      }
      hosts.set(allowlistKey(hp.host, hp.port), provider);
    } else {
      for (const p of ports) hosts.set(allowlistKey(hp.host, p), provider);
    }
  }
  return { allowlist: { ports, hosts }, problems };
}

/** The provider of an allowlisted host:port; exact match on host (case-insensitive) and port. */
export function allowlistedProvider(allow: Allowlist, host: string, port: number): string | undefined {
  return allow.hosts.get(allowlistKey(host.toLowerCase(), port));
}
