import type { IncomingHttpHeaders } from 'node:http';

export const SessionTokenHeader = 'coder-session-token';
export const SessionTokenCookie = 'coder_session_token';

/** Reads one cookie from a Cookie header; undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    }
  }
  return undefined;
}

/**
 * The session token of a request, from the `Coder-Session-Token` header, the
 * `coder_session_token` cookie, or `Authorization: Bearer` — first found wins.
 */
export function extractSessionToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers[SessionTokenHeader];
  const header = Array.isArray(h) ? h[0] : h;
  if (header) return header.trim();
  const cookie = readCookie(headers.cookie, SessionTokenCookie);
  if (cookie) return cookie;
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}
