import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from '../log.js';
import type { MitmConn } from './bridge-forward.js';
import { clientErrorHandler, type HttpLimits } from './limits.js';

const kConn = Symbol('aibridge.mitmConn');
type WithConn = { [kConn]?: MitmConn };

/** The connection state of a decrypted socket. */
export function connOf(socket: unknown): MitmConn | undefined {
  return (socket as WithConn)[kConn];
}

/**
 * The HTTP/1.1 server that decrypted sockets are handed to with `emit('connection')`. It
 * never listens: TLS is terminated on the CONNECT socket itself, so no second port is bound
 * (http-mitm-proxy's internal listener is both slower, with every byte written twice, and a
 * way around proxy authentication when bound to 0.0.0.0).
 */
export function createMitmServer(
  limits: HttpLimits,
  onRequest: (req: IncomingMessage, res: ServerResponse, conn: MitmConn) => void,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, conn: MitmConn) => void,
  log: Logger,
): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headerTimeoutMs,
      requestTimeout: 0,
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
      noDelay: true,
    },
    (req, res) => {
      const conn = connOf(req.socket);
      if (!conn) return void res.destroy();
      try {
        onRequest(req, res, conn);
      } catch (err) {
        log.error({ err }, 'decrypted request failed');
        res.destroy();
      }
    },
  );
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const conn = connOf(socket);
    if (!conn) return void socket.destroy();
    try {
      onUpgrade(req, socket, head, conn);
    } catch (err) {
      log.error({ err }, 'decrypted upgrade failed');
      socket.destroy();
    }
  });
  server.on('clientError', clientErrorHandler(log));
  // Node starts its header-timeout bookkeeping on 'listening'; this server never listens, so
  // start it explicitly or headersTimeout would not apply to decrypted connections.
  server.emit('listening');
  return server;
}

/**
 * A Duplex over a socket that first yields bytes already read from it. Needed when the client
 * pipelined its TLS ClientHello behind the CONNECT: TLS over the native handle would never see
 * bytes that Node already read into JavaScript.
 */
class PrependedSocket extends Duplex {
  constructor(
    private readonly socket: Socket,
    prefix: Buffer,
  ) {
    super({ allowHalfOpen: false });
    this.push(prefix);
    socket.on('data', (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    socket.once('end', () => this.push(null));
    socket.once('error', (err) => this.destroy(err));
    socket.once('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy(err ?? undefined);
    cb(err);
  }
}

/**
 * Terminates TLS on a CONNECT socket with the host's leaf and hands the decrypted socket to
 * the MITM server. The client must name the CONNECT host in SNI (an IP literal host may omit
 * it); anything else aborts the handshake. ALPN offers http/1.1 only.
 */
export function terminateTls(
  socket: Socket,
  head: Buffer,
  ctx: SecureContext,
  conn: MitmConn,
  server: Server,
  handshakeTimeoutMs: number,
  log: Logger,
): TLSSocket {
  let base: Socket | Duplex = socket;
  const pending = socket.readableLength ? (socket.read() as Buffer | null) : null;
  const prefix = pending ? (head.length ? Buffer.concat([head, pending]) : pending) : head;
  if (prefix.length) base = new PrependedSocket(socket, prefix);
  const hostIsIp = isIP(conn.host) !== 0;
  const tls = new TLSSocket(base as Socket, {
    isServer: true,
    secureContext: ctx,
    ALPNProtocols: ['http/1.1'],
    SNICallback: (servername, cb) => {
      if (servername.toLowerCase() === conn.host) cb(null, ctx);
      else cb(new Error('SNI does not match the CONNECT host'), null as unknown as SecureContext);
    },
  });
  (tls as WithConn)[kConn] = conn;
  const timer = setTimeout(() => tls.destroy(), handshakeTimeoutMs);
  tls.on('error', (err) => {
    log.debug({ err, host: conn.host }, 'TLS with client failed');
    tls.destroy();
  });
  tls.once('close', () => clearTimeout(timer));
  tls.once('secure', () => {
    clearTimeout(timer);
    if (!hostIsIp && !tls.servername) {
      log.debug({ host: conn.host }, 'client sent no SNI; closing');
      tls.destroy();
      return;
    }
    server.emit('connection', tls);
  });
  return tls;
}
