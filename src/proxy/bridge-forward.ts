import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import { bridgeRequestHeaders, requestHasBody, stripRawResponseHeaders } from './headers.js';
import { countResponse, providerMetrics, type ProviderMetrics } from './metrics.js';
import { endSocket, sendPlain } from './respond.js';
import { bridgePath } from './url-rewrite.js';
import { relayUpgrade } from './websocket.js';

/** What the proxy knows about an intercepted connection (or one plain-HTTP request to an allowlisted host). */
export interface MitmConn {
  host: string;
  port: number;
  provider: string;
  /** The API token from Proxy-Authorization, verified at CONNECT. */
  token: string;
}

export interface BridgeForwarderOptions {
  /** Base URL of the API server that carries the bridge. */
  bridgeUrl: string;
  /** Longest wait for the bridge's response headers, and between body chunks. */
  timeoutMs: number;
  log: Logger;
}

/** Most headers a request may carry (Node's default of 2000 is generous for a proxy). */
export const MAX_HEADER_COUNT = 200;

/**
 * Sends decrypted requests to `{bridge}/api/v2/aibridge/{provider}{path}` over one keep-alive
 * undici Pool, streaming both bodies without buffering. It uses undici's dispatch handler
 * directly (no Readable in between): each response chunk is written to the client as it
 * arrives, and when the client's socket is full the bridge connection is paused until it
 * drains.
 */
export class BridgeForwarder {
  readonly pool: Pool;
  private readonly origin: URL;
  private readonly originText: string;
  private readonly basePath: string;
  private readonly hostHeader: string;
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  /** Set on shutdown: responses then close their connection. */
  closing = false;

  readonly log: Logger;

  constructor(private readonly opts: BridgeForwarderOptions) {
    this.log = opts.log;
    this.origin = new URL(opts.bridgeUrl);
    this.originText = this.origin.origin;
    this.basePath = this.origin.pathname.replace(/\/+$/, '');
    this.hostHeader = this.origin.host;
    this.pool = new Pool(this.origin.origin, {
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { noDelay: true },
    });
  }

  /** Requests (and upgrades) in flight. */
  get inflight(): number {
    return this.active;
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private begin(): void {
    this.active++;
  }

  private end(): void {
    if (--this.active === 0 && this.idleWaiters.length) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }

  /** Forwards one decrypted request and streams the answer back. */
  forward(req: IncomingMessage, res: ServerResponse, conn: MitmConn): void {
    if (req.rawHeaders.length > MAX_HEADER_COUNT * 2) {
      sendPlain(res, 431);
      return;
    }
    const path = bridgePath(this.basePath, conn.provider, req.url ?? '');
    if (path === undefined) {
      sendPlain(res, 400);
      return;
    }
    if (this.closing) res.shouldKeepAlive = false;
    const requestId = randomUUID();
    const headers = bridgeRequestHeaders(req.rawHeaders, { host: this.hostHeader, token: conn.token, requestId });
    const hasBody = requestHasBody(req.rawHeaders);
    this.begin();
    const exchange = new Exchange(this, res, conn.provider, requestId);
    this.pool.dispatch(
      { origin: this.originText, path, method: req.method as Dispatcher.HttpMethod, headers, body: hasBody ? req : null },
      exchange,
    );
  }

  /** Called once per request when it is over, however it ended. */
  settle(): void {
    this.end();
  }

  /** Passes a WebSocket upgrade to the bridge the same way (see websocket.ts). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, conn: MitmConn): void {
    const path = bridgePath(this.basePath, conn.provider, req.url ?? '');
    if (path === undefined) {
      endSocket(socket, 400);
      return;
    }
    const requestId = randomUUID();
    const headers = bridgeRequestHeaders(req.rawHeaders, { host: this.hostHeader, token: conn.token, requestId, upgrade: true });
    this.begin();
    relayUpgrade(req, socket, head, {
      origin: this.origin,
      path,
      headers,
      provider: conn.provider,
      requestId,
      timeoutMs: this.opts.timeoutMs,
      log: this.log,
      onDone: () => this.end(),
    });
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => this.pool.destroy());
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}


const kExchange = Symbol('aibridge.exchange');
type WithExchange = ServerResponse & { [kExchange]?: Exchange };

function onClientClose(this: WithExchange): void {
  this[kExchange]?.clientClosed();
}

function onClientDrain(this: WithExchange): void {
  this[kExchange]?.resume?.();
}

/**
 * One decrypted request in flight: an undici dispatch handler writing straight into the
 * client's response. A class rather than closures: the hot path allocates one object per
 * request and no functions. Exported for its unit test only.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private abortFn: ((err?: Error) => void) | undefined;
  private finished = false;
  resume: (() => void) | undefined;
  private readonly m: ProviderMetrics;

  constructor(
    private readonly fwd: Pick<BridgeForwarder, 'settle' | 'log'>,
    private readonly res: WithExchange,
    private readonly provider: string,
    private readonly requestId: string,
  ) {
    this.m = providerMetrics(provider);
    this.m.requests.inc();
    this.m.inflight.inc();
    res[kExchange] = this;
    res.once('close', onClientClose);
  }

  private done(): boolean {
    if (this.finished) return false;
    this.finished = true;
    this.res[kExchange] = undefined;
    this.m.inflight.dec();
    this.fwd.settle();
    return true;
  }

  clientClosed(): void {
    if (this.finished) return;
    this.abortFn?.(new Error('client closed the connection'));
    this.done();
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.finished) abort(new Error('client closed the connection'));
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx interim responses (100 Continue, 103) are answered by Node itself or dropped.
    if (status < 200) return true;
    const out: string[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw[i].toString('latin1');
    try {
      this.res.writeHead(status, statusText || undefined, stripRawResponseHeaders(out));
    } catch (err) {
      // A header Node refuses to send (bad characters): answer 502 rather than pass it on.
      this.onError(err as Error);
      this.abortFn?.(err as Error);
      return false;
    }
    countResponse(this.m, this.provider, status);
    this.resume = resume;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    // The client is slower than the bridge: pause the bridge connection until it drains.
    this.res.once('drain', onClientDrain);
    return false;
  }

  onComplete(): void {
    this.done();
    this.res.end();
  }

  onError(err: Error): void {
    if (!this.done()) return;
    const log = this.fwd.log;
    if (!this.res.headersSent) {
      log.warn({ err, provider: this.provider, requestId: this.requestId }, 'bridge request failed');
      countResponse(this.m, this.provider, 502);
      sendPlain(this.res, 502);
    } else {
      log.debug({ err, provider: this.provider, requestId: this.requestId }, 'bridge response interrupted');
      this.res.destroy();
    }
  }
}
