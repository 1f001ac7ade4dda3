import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Logger } from '../log.js';
import { DialBlockedError } from './errors.js';
import { originRequestHeaders, stripRawResponseHeaders } from './headers.js';
import { sendPlain } from './respond.js';
import type { Dialer } from './tunnel.js';
import type { UpstreamProxy } from './upstream.js';

/** The parts of an absolute-form request target (`GET http://host:port/path`). */
export interface AbsoluteTarget {
  host: string;
  port: number;
  /** origin-form path and query. */
  path: string;
  href: string;
}

/** Parses an absolute `http://` request target; undefined for anything else. */
export function parseAbsoluteHttp(target: string): AbsoluteTarget | undefined {
  if (!/^http:\/\//i.test(target)) return undefined;
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return undefined;
  }
  if (!u.hostname || u.username || u.password) return undefined;
  const host = (u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname).toLowerCase();
  return { host, port: u.port ? Number(u.port) : 80, path: u.pathname + u.search, href: u.href };
}

/**
 * Forwards plain `http://` requests for hosts that are not intercepted: directly (the
 * private-address guard runs in the socket's lookup) or through the upstream proxy (the
 * guard runs on a resolution made here first).
 */
export class PlainHttpForwarder {
  private readonly agent = new HttpAgent({ keepAlive: true, maxFreeSockets: 64 });
  private readonly upstreamAgent?: HttpAgent;

  constructor(
    private readonly dialer: Dialer,
    private readonly upstream: UpstreamProxy | undefined,
    upstreamCa: string | undefined,
    private readonly log: Logger,
  ) {
    if (upstream) {
      this.upstreamAgent = upstream.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ca: upstreamCa }) : new HttpAgent({ keepAlive: true });
    }
  }

  forward(req: IncomingMessage, res: ServerResponse, target: AbsoluteTarget): void {
    const refuse = () => {
      sendPlain(res, 403);
      req.resume();
    };
    try {
      this.dialer.checkLiteral(target.host, target.port);
    } catch {
      refuse();
      return;
    }
    if (!this.upstream) {
      this.send(req, res, target);
      return;
    }
    // The upstream resolves the name itself: resolve it here first, as CONNECT does.
    let gone = false;
    const onGone = () => (gone = true);
    res.once('close', onGone);
    this.dialer.precheck(target.host, target.port).then(
      () => {
        res.off('close', onGone);
        if (!gone) this.send(req, res, target);
      },
      (err: unknown) => {
        if (err instanceof DialBlockedError) return refuse();
        this.log.debug({ err, host: target.host }, 'plain HTTP precheck failed');
        sendPlain(res, 502);
        req.resume();
      },
    );
  }

  private send(req: IncomingMessage, res: ServerResponse, target: AbsoluteTarget): void {
    const headers = originRequestHeaders(req.rawHeaders);
    const up = this.upstream;
    const out = up
      ? (up.protocol === 'https:' ? httpsRequest : httpRequest)({
          host: up.host,
          port: up.port,
          method: req.method,
          path: target.href,
          headers: up.authorization ? [...headers, 'Proxy-Authorization', up.authorization] : headers,
          agent: this.upstreamAgent,
          servername: up.protocol === 'https:' && !isIP(up.host) ? up.host : undefined,
        })
      : httpRequest({
          host: target.host,
          port: target.port,
          method: req.method,
          path: target.path,
          headers,
          agent: this.agent,
          lookup: this.dialer.lookupFor(target.host, target.port) as never,
        });
    out.on('response', (upRes: IncomingMessage) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage || undefined, stripRawResponseHeaders(upRes.rawHeaders));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    out.on('error', (err) => {
      if (err instanceof DialBlockedError) {
        sendPlain(res, 403);
      } else {
        this.log.debug({ err, host: target.host }, 'plain HTTP forward failed');
        sendPlain(res, 502);
      }
    });
    res.once('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  }

  close(): void {
    this.agent.destroy();
    this.upstreamAgent?.destroy();
  }
}
