/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus the non-standard Proxy-Connection): they describe one
 * connection and are never forwarded by the proxy or the bridge.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * The headers a message's `Connection` header names (lower case), which are hop-by-hop too;
 * undefined when there are none. `raw` is Node's raw form `[name, value, …]`.
 */
export function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const t of raw[i + 1].split(',')) {
        const n = t.trim().toLowerCase();
        if (n) (out ??= new Set()).add(n);
      }
    }
  }
  return out;
}
