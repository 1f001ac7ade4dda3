import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { routeContext } from '../db/context.js';
import { HttpError } from '../errors.js';
import type { Logger } from '../log.js';
import { listen } from './listen.js';
import { sendError } from './respond.js';
import { Router, unmatchedRouteLabel } from './router.js';

/** A part of the API server (bridge, control plane) that adds its routes. */
export interface ApiModule {
  name: string;
  register(router: Router): void;
  /** Called on shutdown after the listener stops accepting (flush queues, stop jobs). */
  close?(): Promise<void>;
}

export interface ApiServer {
  address: string;
  url: string;
  server: Server;
  router: Router;
  /** Stops accepting, waits for in-flight requests up to graceMs, then closes what is left. */
  close(graceMs: number): Promise<void>;
}

/**
 * The HTTP server that carries the bridge and the control plane. Each request runs with its
 * route pattern in AsyncLocalStorage (query metrics), and every thrown HttpError becomes
 * Coder's error JSON in this one place.
 */
export async function startApiServer(opts: { address: string; modules: ApiModule[]; log: Logger }): Promise<ApiServer> {
  const router = new Router();
  const log = opts.log.child({ module: 'api' });
  for (const m of opts.modules) m.register(router);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const match = router.find(req.method ?? 'GET', path);
    const route = match ? match.pattern : unmatchedRouteLabel(path);
    routeContext.run({ route, method: req.method ?? '' }, () => {
      if (!match?.handler) {
        sendError(res, new HttpError(404, 'Route not found.', `${req.method} ${path}`));
        return;
      }
      let out: unknown;
      try {
        out = match.handler(req, res, match.params);
      } catch (err) {
        handleError(err, res);
        return;
      }
      if (out && typeof (out as Promise<void>).then === 'function') (out as Promise<void>).catch((err) => handleError(err, res));
    });
  };

  const handleError = (err: unknown, res: ServerResponse) => {
    if (res.headersSent) {
      log.warn({ err }, 'handler failed after the response started');
      res.destroy();
      return;
    }
    if (err instanceof HttpError) return sendError(res, err);
    log.error({ err }, 'unhandled error in handler');
    sendError(res, new HttpError(500, 'Internal error.'));
  };

  const server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 30_000 }, onRequest);
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const match = router.findUpgrade(path);
    if (!match?.upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    routeContext.run({ route: match.pattern, method: 'GET' }, () => {
      Promise.resolve(match.upgrade!(req, socket, head, match.params)).catch((err) => {
        log.warn({ err }, 'upgrade handler failed');
        socket.destroy();
      });
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const address = await listen(server, opts.address);
  return {
    address,
    url: `http://${address}`,
    server,
    router,
    async close(graceMs) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Keep-alive connections become idle as their last response ends; close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      for (const m of opts.modules) await m.close?.();
    },
  };
}
