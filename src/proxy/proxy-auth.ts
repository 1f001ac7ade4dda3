/**
 * The API token in a `Proxy-Authorization: Basic base64(user:token)` header, as Coder reads it:
 * the scheme is case-insensitive, the decoded value splits on the first `:`, the username is
 * ignored and the password is the token. Undefined when the header is missing or malformed, or
 * the token is empty or not printable ASCII.
 */
export function tokenFromProxyAuthorization(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const token = decoded.slice(colon + 1);
  // Tokens are printable ASCII; anything else could not travel on as a header value.
  return /^[\x21-\x7e]+$/.test(token) ? token : undefined;
}
