/** The optional upstream proxy tunnels go through. */
export interface UpstreamProxy {
  protocol: 'http:' | 'https:';
  host: string;
  port: number;
  /** `Basic …` from the URL's user:pass, when it has one. */
  authorization?: string;
}

/**
 * Parses `proxy.upstream` (`http(s)://[user:pass@]host[:port]`). A URL with an `@` but both
 * user and password empty is an error (Coder, PR #21841), as is any scheme other than http(s).
 */
export function parseUpstreamProxy(raw: string): { upstream?: UpstreamProxy; problem?: string } {
  const value = raw.trim();
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return { problem: 'proxy.upstream: not a URL; expected http(s)://[user:pass@]host:port' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { problem: `proxy.upstream: scheme ${u.protocol.replace(/:$/, '')} is not supported; use http:// or https://` };
  }
  if (!u.hostname) return { problem: 'proxy.upstream: the URL has no host' };
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    return { problem: 'proxy.upstream: the URL must not have a path, query or fragment' };
  }
  const hasUserinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value);
  let authorization: string | undefined;
  if (hasUserinfo) {
    let user: string;
    let pass: string;
    try {
      user = decodeURIComponent(u.username);
      pass = decodeURIComponent(u.password);
    } catch {
      // Never echo the credentials themselves.
      return { problem: 'proxy.upstream: the user or password has bad percent-encoding (write "%" as %25)' };
    }
    if (user === '' && pass === '') return { problem: 'proxy.upstream: the URL has credentials with an empty user and password; remove the "@" or fill them in' };
    authorization = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { upstream: { protocol: u.protocol, host, port, authorization } };
}
