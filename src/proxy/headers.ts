import { connectionTokens, HOP_BY_HOP_HEADERS } from '../server/index.js';

/**
 * Header rewriting between the client and the bridge. Hop-by-hop headers (RFC 9110 §7.6.1)
 * stay on their hop; `Expect` is answered by the proxy itself; the proxy's own headers
 * (`X-Coder-Token`, the request id) cannot be supplied by the client.
 */
const HOP_BY_HOP = new Set([...HOP_BY_HOP_HEADERS, 'expect', 'host', 'http2-settings']);
const RESPONSE_HOP_BY_HOP = new Set(HOP_BY_HOP_HEADERS);

export const TOKEN_HEADER = 'X-Coder-Token';
export const REQUEST_ID_HEADER = 'X-Coder-AI-Governance-Request-Id';
const OWN = new Set([TOKEN_HEADER.toLowerCase(), REQUEST_ID_HEADER.toLowerCase()]);

export interface BridgeHeaderOptions {
  /** Host header for the bridge (its URL's host). */
  host: string;
  token: string;
  requestId: string;
  /** Keep `Upgrade` and send `Connection: Upgrade` (WebSocket). */
  upgrade?: boolean;
}

/**
 * The headers of a decrypted request as the bridge receives them, from the client's raw
 * header list (`[name, value, name, value, …]`): hop-by-hop and the proxy's own headers
 * dropped, `Host` set to the bridge, `X-Coder-Token` and the request id added.
 */
export function bridgeRequestHeaders(raw: readonly string[], opts: BridgeHeaderOptions): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = ['host', opts.host];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || OWN.has(lower) || listed?.has(lower)) {
      if (opts.upgrade && lower === 'upgrade') out.push(name, raw[i + 1]);
      continue;
    }
    out.push(name, raw[i + 1]);
  }
  out.push(TOKEN_HEADER, opts.token, REQUEST_ID_HEADER, opts.requestId);
  if (opts.upgrade) out.push('connection', 'Upgrade');
  return out;
}

/** Headers of a request forwarded to an origin (plain HTTP): hop-by-hop dropped, Host kept. */
export function originRequestHeaders(raw: readonly string[]): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if ((HOP_BY_HOP.has(lower) && lower !== 'host') || listed?.has(lower)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** Drops hop-by-hop headers from a raw response header list. */
export function stripRawResponseHeaders(raw: readonly string[]): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (RESPONSE_HOP_BY_HOP.has(lower) || listed?.has(lower)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** Whether a request has a body, from its raw headers (without building Node's header object). */
export function requestHasBody(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === 17 && n.toLowerCase() === 'transfer-encoding') return true;
    if (n.length === 14 && n.toLowerCase() === 'content-length' && raw[i + 1].trim() !== '0') return true;
  }
  return false;
}
