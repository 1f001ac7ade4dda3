import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createLeafIssuer, LeafCache } from '../certs/index.js';
import { ConfigError } from '../errors.js';
import { listen } from '../server/index.js';
import { BridgeForwarder, MAX_HEADER_COUNT } from './bridge-forward.js';
import { createProxyHandlers } from './connect.js';
import { clientErrorHandler, httpLimits } from './limits.js';
import { createMitmServer } from './mitm.js';
import { PlainHttpForwarder } from './plain-http.js';
import { Dialer } from './tunnel.js';
import { resolveProxySettings } from './validate.js';
import type { ProxyDeps, RunningProxy } from './types.js';

/** Time to reach a tunnel target or the upstream proxy. */
const DIAL_TIMEOUT_MS = 10_000;
/** Margin over the bridge's own upstream timeout before the proxy gives up on it. */
const BRIDGE_TIMEOUT_MARGIN_MS = 30_000;

function bridgeHostPort(bridgeUrl: string): string {
  const u = new URL(bridgeUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return `${host}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
}

/** Starts the proxy listener (plain HTTP, or TLS when proxy.tlsCertFile/tlsKeyFile are set). */
export async function startProxy(deps: ProxyDeps): Promise<RunningProxy> {
  const { config, ca, bridgeUrl, tokenCheck } = deps;
  const log = deps.log.child({ module: 'proxy' });
  const { settings, problems } = resolveProxySettings(config);
  if (problems.length) throw new ConfigError(problems);
  for (const w of settings.warnings) log.warn(w);

  const leaves = new LeafCache(await createLeafIssuer(ca));
  const limits = httpLimits(config, MAX_HEADER_COUNT);
  const forwarder = new BridgeForwarder({ bridgeUrl, timeoutMs: config.aibridge.upstreamTimeout + BRIDGE_TIMEOUT_MARGIN_MS, log });
  const dialer = new Dialer({
    upstream: settings.upstream,
    upstreamCa: settings.upstreamCa,
    exceptions: settings.privateExceptions,
    exemptHostPorts: new Set([bridgeHostPort(bridgeUrl)]),
    connectTimeoutMs: DIAL_TIMEOUT_MS,
  });
  const plain = new PlainHttpForwarder(dialer, settings.upstream, settings.upstreamCa, log);
  const mitmServer = createMitmServer(
    limits,
    (req, res, conn) => forwarder.forward(req, res, conn),
    (req, socket, head, conn) => forwarder.upgrade(req, socket, head, conn),
    log,
  );
  const tunnels = new Set<Duplex>();
  const handlers = createProxyHandlers({
    settings,
    allowUnauthenticatedTunnels: config.proxy.allowUnauthenticatedTunnels,
    handshakeTimeoutMs: limits.headerTimeoutMs,
    tokenCheck,
    leaves,
    mitmServer,
    forwarder,
    plain,
    dialer,
    tunnels,
    log,
  });

  const httpOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: limits.idleTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    noDelay: true,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.rawHeaders.length > MAX_HEADER_COUNT * 2) {
      res.writeHead(431, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Request Header Fields Too Large');
      return;
    }
    handlers.onRequest(req, res);
  };
  const server: Server = config.proxy.tlsCertFile
    ? createHttpsServer(
        {
          ...httpOptions,
          cert: readFileSync(config.proxy.tlsCertFile),
          key: readFileSync(config.proxy.tlsKeyFile),
          minVersion: 'TLSv1.2',
          ALPNProtocols: ['http/1.1'],
        },
        onRequest,
      )
    : createHttpServer(httpOptions, onRequest);
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;
  if (config.proxy.maxConnections > 0) server.maxConnections = config.proxy.maxConnections;
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (req.rawHeaders.length > MAX_HEADER_COUNT * 2) {
      socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    handlers.onConnect(req, socket, head);
  });
  server.on('upgrade', handlers.onUpgrade);
  server.on('clientError', clientErrorHandler(log));
  server.on('tlsClientError', (err: Error) => log.debug({ err }, 'TLS with client failed'));

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  const address = await listen(server, config.proxy.listenAddr);
  log.info(
    { address, tls: Boolean(config.proxy.tlsCertFile), intercepted: [...settings.allowlist.hosts.keys()], upstream: Boolean(settings.upstream) },
    'proxy started',
  );

  let closed: Promise<void> | undefined;
  return {
    address,
    leaves,
    close(graceMs: number) {
      closed ??= (async () => {
        forwarder.closing = true;
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        mitmServer.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const tunnelsDone = Promise.all([...tunnels].map((t) => new Promise((r) => (t.destroyed ? r(undefined) : t.once('close', r)))));
        await Promise.race([
          Promise.all([forwarder.idle(), tunnelsDone]),
          new Promise((r) => {
            timer = setTimeout(r, graceMs);
          }),
        ]);
        clearTimeout(timer);
        for (const t of tunnels) t.destroy();
        for (const s of sockets) s.destroy();
        mitmServer.closeAllConnections();
        mitmServer.close();
        plain.close();
        await forwarder.destroy();
        leaves.clear();
        await serverClosed;
        log.info('proxy stopped');
      })();
      return closed;
    },
  };
}
