import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Handler, Params } from '../server/index.js';
import { admit, type Admitted } from './admit.js';
import { CircuitOpen, isBreakerFailure } from './breaker/index.js';
import type { BridgeContext, ResolvedProvider } from './context.js';
import { BodyTooLargeError, sendJsonBody, sendPlainError, sendProviderError } from './errors.js';
import { upstreamRequestHeaders } from './headers.js';
import { ObservingTap } from './intercept/tap.js';
import { isObject } from './intercept/types.js';
import { Interception } from './interception.js';
import { passthroughTotal } from './metrics.js';
import type { Endpoint } from './providers/index.js';
import { Relay, type RelayOutcome } from './relay.js';
import { chooseRoute, upstreamPath, type RouteChoice } from './routes.js';

/** Where the bridge is mounted; `{provider}` and the rest of the path follow. */
export const BRIDGE_PREFIX = '/api/v2/aibridge/';
export const PROVIDER_ROUTE = '/api/v2/aibridge/{provider}/*';

/** The path under the provider, from the raw URL (not the router's decoded copy). */
export function pathUnderProvider(url: string, provider: string): { path: string; query: string } | undefined {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const prefix = BRIDGE_PREFIX + provider;
  if (!rawPath.startsWith(prefix) || rawPath.charCodeAt(prefix.length) !== 47 /* / */) return undefined;
  return { path: rawPath.slice(prefix.length), query: q < 0 ? '' : url.slice(q) };
}

/**
 * The HTTP edge of the bridge: every method under `/api/v2/aibridge/{provider}/…`. Routes are
 * chosen by `chooseRoute`; bridged ones are parsed, recorded and circuit-broken, passthrough
 * ones forwarded untouched (both with the credential rules of `admit`).
 */
export function providerHandler(ctx: BridgeContext): Handler {
  return (req: IncomingMessage, res: ServerResponse, params: Params) => {
    const name = params.provider ?? '';
    const method = req.method ?? 'GET';
    const provider = ctx.providers.get(name);
    const where = provider ? pathUnderProvider(req.url ?? '/', name) : undefined;
    if (!provider || !where) {
      sendPlainError(res, 404, `route not supported: ${method} /${name}/${params['*'] ?? ''}`);
      return;
    }
    const route = chooseRoute(provider, method, where.path);
    if (route.kind === 'unsupported') {
      sendProviderError(res, provider, 404, 'not_found', `route not supported: ${method} /${name}${where.path}`);
      return;
    }
    return serve(ctx, provider, route, req, res, where.path, where.query);
  };
}

async function serve(
  ctx: BridgeContext,
  provider: ResolvedProvider,
  route: Exclude<RouteChoice, { kind: 'unsupported' }>,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
): Promise<void> {
  const a = await admit(ctx, provider, req.headers);
  if (!a.ok) {
    sendProviderError(res, provider, a.status, a.kind, a.message, a.headers);
    return;
  }
  res.once('close', a.release);
  const target = upstreamPath(provider.basePath, provider.basePathPrefix, path, query);
  if (route.kind === 'bridged') return bridged(ctx, provider, route.endpoint, req, res, target, path, a);
  passthrough(ctx, provider, req, res, target, route.route, a);
}

function passthrough(ctx: BridgeContext, provider: ResolvedProvider, req: IncomingMessage, res: ServerResponse, target: string, route: string, a: Admitted): void {
  const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
  passthroughTotal.inc({ provider: provider.name, route, method });
  const headers = upstreamRequestHeaders(req.rawHeaders, a.plan);
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (hasBody && req.headers['content-length'] !== undefined) headers.push('content-length', req.headers['content-length']);
  const relay = new Relay(res, { provider, extraHeaders: [], onDone: () => {} });
  try {
    ctx.upstreams.pool(provider.origin).dispatch({ method, path: target, headers, body: hasBody ? req : undefined }, relay);
  } catch (err) {
    relay.onResponseError(undefined as never, err as Error);
  }
}

/** Reads a request body up to `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('client closed the request'));
    });
  });
}

async function bridged(
  ctx: BridgeContext,
  provider: ResolvedProvider,
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  path: string,
  a: Admitted,
): Promise<void> {
  const adapter = provider.adapters[endpoint]!;
  let raw: Buffer;
  try {
    raw = await readBody(req, ctx.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) sendProviderError(res, provider, 413, 'invalid_request', `request body too large: the limit is ${err.limit} bytes`);
    else res.destroy();
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  if (!isObject(body)) {
    sendProviderError(res, provider, 400, 'invalid_request', 'request body must be a JSON object');
    return;
  }
  const facts = adapter.readRequest(body);
  // The original bytes go upstream unless the bridge had to change the body.
  const payload = adapter.rewrite ? adapter.rewrite(raw, body, facts) : raw;
  const ic = new Interception(ctx, provider, endpoint, path, a, req.headers, facts.model);
  const headers = upstreamRequestHeaders(req.rawHeaders, a.plan);
  const tap = ctx.recording ? new ObservingTap(adapter) : undefined;
  const extraHeaders = ['x-coder-interception-id', ic.id];

  const finish = (o: Pick<RelayOutcome, 'status' | 'completed'>) => {
    ic.end(o, tap?.observation(), ctx.recording ? adapter.lastUserPrompt(body) : undefined);
  };
  const dispatch = (onStatus?: (status: number) => void, onSettled?: () => void) => {
    const relay = new Relay(res, {
      provider,
      extraHeaders,
      tap,
      onStatus,
      onDone: (o) => {
        onSettled?.();
        finish(o);
      },
    });
    try {
      ctx.upstreams.pool(provider.origin).dispatch({ method: 'POST', path: target, headers, body: payload }, relay);
    } catch (err) {
      // undici refused the request outright (a header it will not send): the relay answers 502.
      relay.onResponseError(undefined as never, err as Error);
    }
  };

  if (!ctx.breakers) {
    try {
      dispatch();
    } catch (err) {
      finish({ status: 500, completed: false });
      throw err;
    }
    return;
  }
  const breaker = ctx.breakers.get(provider.name, endpoint, facts.model);
  try {
    await breaker.execute(
      () =>
        new Promise<boolean>((resolve) => {
          let settled = false;
          dispatch(
            (status) => {
              if (settled) return;
              settled = true;
              resolve(isBreakerFailure(status, provider.failureStatuses));
            },
            () => {
              if (settled) return;
              settled = true;
              resolve(false);
            },
          );
        }),
    );
  } catch (err) {
    if (!(err instanceof CircuitOpen)) {
      // Ends the interception (and its in-flight gauge) before the server answers 500.
      finish({ status: 500, completed: false });
      throw err;
    }
    sendJsonBody(res, 503, provider.circuitOpenBody, ['retry-after', ctx.breakerRetryAfter, ...extraHeaders]);
    finish({ status: 503, completed: false });
  }
}
