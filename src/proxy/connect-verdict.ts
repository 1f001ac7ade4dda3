import { allowlistedProvider, splitHostPort, type Allowlist } from './allowlist.js';

/** The target of a CONNECT (`host:port`, `[v6]:port`), host lowercased; the port is required. */
export function parseConnectTarget(target: string): { host: string; port: number } | undefined {
  const hp = splitHostPort(target.toLowerCase());
  if (!hp || hp.port === undefined) return undefined;
  return { host: hp.host, port: hp.port };
}

export type ConnectVerdict = { kind: 'reject'; reason: 'port' } | { kind: 'mitm'; provider: string } | { kind: 'tunnel' };

/**
 * What to do with a CONNECT, in Coder's order: a port outside the allowed ports is refused;
 * an allowlisted host:port is intercepted for its provider; anything else is tunneled.
 */
export function decideConnect(host: string, port: number, allow: Allowlist): ConnectVerdict {
  if (!allow.ports.has(port)) return { kind: 'reject', reason: 'port' };
  const provider = allowlistedProvider(allow, host, port);
  return provider ? { kind: 'mitm', provider } : { kind: 'tunnel' };
}

/** Whether a request needs valid proxy credentials: interception always does; tunnels unless the operator opted out. */
export function needsCredentials(verdict: ConnectVerdict, allowUnauthenticatedTunnels: boolean): boolean {
  return verdict.kind === 'mitm' || !allowUnauthenticatedTunnels;
}
