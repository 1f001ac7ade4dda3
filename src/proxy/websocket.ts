import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';
import { stripRawResponseHeaders } from './headers.js';
import { countResponse, providerMetrics } from './metrics.js';
import { endSocket } from './respond.js';
import { relay } from './tunnel.js';

export interface UpgradeTarget {
  /** The bridge's origin. */
  origin: URL;
  /** The rewritten path on the bridge. */
  path: string;
  /** Request headers for the bridge (Upgrade kept, token and request id added). */
  headers: string[];
  provider: string;
  requestId: string;
  /** Longest wait for the bridge's answer to the upgrade (the forwarder's timeout). */
  timeoutMs: number;
  log: Logger;
  /** Called once when the exchange is over, however it ended. */
  onDone: () => void;
}

function responseHead(res: IncomingMessage, raw: readonly string[]): string {
  let head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return head + '\r\n';
}

/**
 * Passes a WebSocket upgrade (Codex opens `wss://api.openai.com/v1/responses`) to the bridge,
 * then relays bytes both ways once the bridge answers 101. Any other answer goes back to the
 * client as it came, and the connection closes.
 */
export function relayUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: UpgradeTarget): void {
  const m = providerMetrics(t.provider);
  m.requests.inc();
  m.inflight.inc();
  let open = true;
  const done = () => {
    if (!open) return;
    open = false;
    m.inflight.dec();
    t.onDone();
  };
  const https = t.origin.protocol === 'https:';
  const out = (https ? httpsRequest : httpRequest)({
    protocol: t.origin.protocol,
    hostname: t.origin.hostname.replace(/^\[|\]$/g, ''),
    port: t.origin.port || (https ? 443 : 80),
    method: req.method,
    path: t.path,
    headers: t.headers,
    agent: false,
  });
  // A bridge that never answers must not hold the connection (and shutdown's idle wait).
  const timer = setTimeout(() => out.destroy(new Error(`the bridge did not answer the upgrade in ${t.timeoutMs} ms`)), t.timeoutMs);
  socket.once('close', () => {
    clearTimeout(timer);
    out.destroy();
    done();
  });
  socket.on('error', () => socket.destroy());
  out.on('upgrade', (upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
    clearTimeout(timer);
    countResponse(m, t.provider, upRes.statusCode ?? 101);
    if (socket.destroyed) {
      upSocket.destroy();
      return;
    }
    socket.write(responseHead(upRes, upRes.rawHeaders));
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    relay(socket, upSocket);
    upSocket.once('close', done);
  });
  out.on('response', (upRes: IncomingMessage) => {
    clearTimeout(timer);
    countResponse(m, t.provider, upRes.statusCode ?? 502);
    const raw = stripRawResponseHeaders(upRes.rawHeaders);
    raw.push('Connection', 'close');
    socket.write(responseHead(upRes, raw));
    upRes.pipe(socket);
    upRes.once('end', done);
  });
  out.on('error', (err) => {
    clearTimeout(timer);
    if (!open) return;
    t.log.warn({ err, provider: t.provider, requestId: t.requestId }, 'bridge upgrade failed');
    countResponse(m, t.provider, 502);
    endSocket(socket, 502);
    done();
  });
  out.end();
}
