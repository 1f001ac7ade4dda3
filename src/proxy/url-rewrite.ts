/**
 * The path a decrypted request takes on the bridge, as Coder builds it
 * (`url.JoinPath(accessURL, "api/v2/aibridge", provider, path)`, query kept):
 *
 *   api.openai.com  GET /v1/models?limit=2  →  {base}/api/v2/aibridge/openai/v1/models?limit=2
 *   api.anthropic.com POST /v1/messages     →  {base}/api/v2/aibridge/anthropic/v1/messages
 *
 * `basePath` is the bridge URL's own path ('' or '/prefix'). Dot segments (also percent-encoded
 * ones) are resolved inside the client's path first, so a request can never climb out of its
 * provider's prefix. Returns undefined for a request target that is not a path (`*`, garbage).
 */
export function bridgePath(basePath: string, provider: string, requestTarget: string): string | undefined {
  let target = requestTarget;
  if (!target.startsWith('/')) {
    // absolute-form (RFC 9112 §3.2.2), which a client may send even inside a tunnel
    if (!/^https?:\/\//i.test(target)) return undefined;
    try {
      const u = new URL(target);
      target = u.pathname + u.search;
    } catch {
      return undefined;
    }
  } else if (target.startsWith('//') || /[.%\\]/.test(target.split('?', 1)[0])) {
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const query = q === -1 ? '' : target.slice(q);
    let normalized: string;
    try {
      normalized = new URL(path.replace(/^\/+/, '/'), 'http://x').pathname;
    } catch {
      return undefined;
    }
    target = normalized + query;
  }
  const base = basePath.replace(/\/+$/, '');
  return `${base}/api/v2/aibridge/${provider}${target}`;
}
