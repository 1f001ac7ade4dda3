import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import FindMyWay from 'find-my-way';

export type Params = Record<string, string | undefined>;
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params) => unknown;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, params: Params) => unknown;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

interface Store {
  pattern: string;
  handler?: Handler;
  upgrade?: UpgradeHandler;
}

export interface Match {
  /** The route pattern as registered (`/api/v2/users/{user}`): the metrics label. */
  pattern: string;
  params: Params;
  handler?: Handler;
  upgrade?: UpgradeHandler;
}

/** Coder's labels for requests that match no route. */
export function unmatchedRouteLabel(path: string): string {
  return path.startsWith('/api/') ? 'UNKNOWN' : 'STATIC';
}

/**
 * Routes by method and path. Patterns use Coder's `{param}` syntax (and a trailing `*` for
 * "the rest of the path", captured as params['*']); the pattern itself labels metrics.
 */
export class Router {
  private fmw = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 500 });
  private upgrades = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 500 });

  on(method: Method | Method[], pattern: string, handler: Handler): this {
    const store: Store = { pattern, handler };
    this.fmw.on(method, toFmw(pattern), () => {}, store);
    return this;
  }

  get(pattern: string, h: Handler) {
    return this.on('GET', pattern, h);
  }
  post(pattern: string, h: Handler) {
    return this.on('POST', pattern, h);
  }
  put(pattern: string, h: Handler) {
    return this.on('PUT', pattern, h);
  }
  patch(pattern: string, h: Handler) {
    return this.on('PATCH', pattern, h);
  }
  delete(pattern: string, h: Handler) {
    return this.on('DELETE', pattern, h);
  }

  /** A WebSocket (or other) upgrade route: `GET` with `Upgrade:`, handed the raw socket. */
  onUpgrade(pattern: string, upgrade: UpgradeHandler): this {
    const store: Store = { pattern, upgrade };
    this.upgrades.on('GET', toFmw(pattern), () => {}, store);
    return this;
  }

  find(method: string, path: string): Match | undefined {
    const r = this.fmw.find(method as Method, path);
    if (!r) return undefined;
    const store = r.store as Store;
    return { pattern: store.pattern, params: r.params as Params, handler: store.handler };
  }

  findUpgrade(path: string): Match | undefined {
    const r = this.upgrades.find('GET', path);
    if (!r) return undefined;
    const store = r.store as Store;
    return { pattern: store.pattern, params: r.params as Params, upgrade: store.upgrade };
  }
}

function toFmw(pattern: string): string {
  return pattern.replace(/\{([a-zA-Z0-9_]+)\}/g, ':$1');
}
