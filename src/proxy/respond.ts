import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Coder's 407 (aibridgeproxyd.go): realm, Proxy-Connection: close, plain body. */
export const PROXY_AUTH_REALM = 'Basic realm="Coder AI Bridge Proxy"';
export const PROXY_AUTH_BODY = 'Proxy Authentication Required';

/** Plain-text bodies, with no internal detail. */
export const BODY: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  407: PROXY_AUTH_BODY,
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** How long a closed-with-an-error socket may take to flush before it is destroyed. */
const END_GRACE_MS = 5000;

function bodyFor(status: number, body?: string): string {
  return body ?? BODY[status] ?? STATUS_CODES[status] ?? 'Error';
}

/**
 * Writes a plain-text response straight onto a socket (CONNECT, upgrades, parse errors) and
 * closes it.
 */
export function endSocket(socket: Duplex, status: number, body?: string): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = bodyFor(status, body);
  const extra = status === 407 ? `Proxy-Authenticate: ${PROXY_AUTH_REALM}\r\nProxy-Connection: close\r\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  // A peer that never reads must not keep the socket open; one that closes needs no timer.
  const timer = setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The same through a ServerResponse (plain HTTP requests, decrypted requests); the connection closes after it. */
export function sendPlain(res: ServerResponse, status: number, body?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = bodyFor(status, body);
  const headers: Record<string, string | number> = {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  };
  if (status === 407) {
    headers['proxy-authenticate'] = PROXY_AUTH_REALM;
    headers['proxy-connection'] = 'close';
  }
  res.writeHead(status, headers);
  res.end(text);
}
