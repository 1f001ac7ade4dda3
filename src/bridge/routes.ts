import type { Endpoint, ProviderSpec, WebSocketRoute } from './providers/index.js';

export type RouteChoice =
  | { kind: 'bridged'; endpoint: Endpoint }
  /** `route` is the passthrough entry that matched (a metrics label, unlike the path). */
  | { kind: 'passthrough'; route: string }
  | { kind: 'unsupported' };

/**
 * Decides what the bridge does with `method path` under a provider: intercept it (bridged),
 * forward it untouched (passthrough), or refuse it. Paths with dot segments are refused so that
 * a passthrough prefix cannot be walked back to a bridged route (`/v1/models/../chat/completions`)
 * to skip recording.
 */
export function chooseRoute(p: ProviderSpec, method: string, path: string): RouteChoice {
  if (hasDotSegment(path)) return { kind: 'unsupported' };
  for (const r of p.bridgedRoutes) {
    if (r.path === path) return r.method === method ? { kind: 'bridged', endpoint: r.endpoint } : { kind: 'unsupported' };
  }
  for (const r of p.passthroughRoutes) {
    if (r.endsWith('/') ? path.startsWith(r) : path === r) return { kind: 'passthrough', route: r };
  }
  return { kind: 'unsupported' };
}

/** The WebSocket route at `path`, if the provider has one. */
export function chooseWebSocketRoute(p: ProviderSpec, path: string): WebSocketRoute | undefined {
  if (hasDotSegment(path)) return undefined;
  return p.websocketRoutes.find((r) => r.path === path);
}

function hasDotSegment(path: string): boolean {
  if (!path.includes('.') && !path.includes('%')) return false;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return decoded.split('/').some((s) => s === '.' || s === '..') || decoded.includes('\\');
}

/** The upstream origin (`https://api.openai.com`) of a provider's base URL. */
export function upstreamOrigin(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

/** The path part of a base URL without its trailing slash (`/v1`, or '' for a bare origin). */
export function basePathOf(baseUrl: string): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '');
}

/**
 * The path (with query) to request on the upstream origin for a client path under the
 * provider; see the worked examples on `ProviderSpec`. `basePath` is `basePathOf(baseUrl)`.
 */
export function upstreamPath(basePath: string, basePathPrefix: string, path: string, query: string): string {
  const rest = basePathPrefix && (path === basePathPrefix || path.startsWith(basePathPrefix + '/')) ? path.slice(basePathPrefix.length) : path;
  return `${basePath}${rest}${query}`;
}
