import { connectionTokens, HOP_BY_HOP_HEADERS } from '../server/index.js';

/**
 * Which headers cross the bridge. Everything the client sent goes upstream except hop-by-hop
 * headers, what the bridge itself rewrites, and the bridge's own headers: a dropped client
 * header once broke Claude Code behind Coder's bridge (coder/aibridge#192), so the list of
 * what is removed is short and explicit. Header arrays are Node's raw form `[name, value, …]`.
 */

/** Removed from every forwarded request (lower case). */
export const DROPPED_REQUEST_HEADERS = new Set([
  // Hop-by-hop (RFC 9110 §7.6.1), Proxy-Authorization among them: it is for the proxy alone.
  ...HOP_BY_HOP_HEADERS,
  // Set by the bridge's HTTP client for the bytes it sends.
  'host',
  'content-length',
  'expect',
  // The upstream answers uncompressed so that the bridge can read usage from the copy.
  'accept-encoding',
  // The bridge's own: the Coder token (both names) and the proxy's request id.
  'x-coder-token',
  'x-coder-ai-governance-token',
  'x-coder-ai-governance-request-id',
  'coder-session-token',
  // A browser on the API's origin sends Coder's cookies (coder_session_token among them): never
  // the provider's business.
  'cookie',
]);

/** Removed from the WebSocket handshake sent upstream (the client library makes its own). */
const DROPPED_WEBSOCKET_HEADERS = new Set([
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-accept',
  'sec-websocket-protocol',
]);

/** Removed from responses on their way back (hop-by-hop). */
const DROPPED_RESPONSE_HEADERS = new Set(HOP_BY_HOP_HEADERS);

export interface CredentialPlan {
  /** The header and value of the provider key to set, or undefined to set none. */
  inject?: [name: string, value: string];
  /** Remove the client's Authorization and X-Api-Key (centralized mode). */
  stripClientCredentials: boolean;
  /** The Coder token: a credential header that carries it is removed in any mode. */
  token: string;
}

function carriesToken(name: string, value: string, token: string): boolean {
  if (name === 'x-api-key') return value.trim() === token;
  const m = /^bearer\s+(\S+)\s*$/i.exec(value);
  return m !== null && m[1] === token;
}

/** The headers to send upstream, from the client's raw headers. */
export function upstreamRequestHeaders(raw: string[], plan: CredentialPlan, websocket = false): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (DROPPED_REQUEST_HEADERS.has(name) || named?.has(name)) continue;
    if (websocket && DROPPED_WEBSOCKET_HEADERS.has(name)) continue;
    if (name === 'authorization' || name === 'x-api-key') {
      if (plan.stripClientCredentials || carriesToken(name, raw[i + 1], plan.token)) continue;
    }
    out.push(raw[i], raw[i + 1]);
  }
  if (plan.inject) out.push(plan.inject[0], plan.inject[1]);
  return out;
}

/** The headers to send the client, from the upstream's raw response headers. */
export function downstreamResponseHeaders(raw: (Buffer | string)[], extra: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = typeof raw[i] === 'string' ? (raw[i] as string) : (raw[i] as Buffer).toString('latin1');
    if (DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
    const value = raw[i + 1];
    out.push(name, typeof value === 'string' ? value : value.toString('latin1'));
  }
  for (const v of extra) out.push(v);
  return out;
}
