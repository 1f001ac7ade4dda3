import type { IncomingMessage } from 'node:http';

export type HandshakeCheck =
  | { ok: true; protocols: string[] }
  | { ok: false; status: number; message: string; headers: string[] };

const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** RFC 7230 `token`: what a subprotocol name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const bad = (status: number, message: string, headers: string[] = []): HandshakeCheck => ({ ok: false, status, message, headers });

/**
 * Checks a client's WebSocket handshake the way `ws`'s `handleUpgrade` will, so that a
 * handshake `ws` would refuse (silently, without calling back) is refused before a
 * concurrency slot is taken or the upstream is dialled. Returns the offered subprotocols.
 */
export function checkHandshake(req: Pick<IncomingMessage, 'method' | 'headers'>): HandshakeCheck {
  const h = req.headers;
  if (req.method !== 'GET') return bad(405, 'invalid WebSocket handshake: method must be GET');
  if (typeof h.upgrade !== 'string' || h.upgrade.toLowerCase() !== 'websocket') return bad(400, 'invalid WebSocket handshake: Upgrade header must be websocket');
  const key = h['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key)) return bad(400, 'invalid WebSocket handshake: missing or invalid Sec-WebSocket-Key header');
  const version = Number(h['sec-websocket-version']);
  if (version !== 13 && version !== 8) {
    return bad(400, 'invalid WebSocket handshake: missing or invalid Sec-WebSocket-Version header', ['sec-websocket-version', '13, 8']);
  }
  const header = h['sec-websocket-protocol'];
  if (header === undefined) return { ok: true, protocols: [] };
  const protocols = String(header)
    .split(',')
    .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));
  const seen = new Set<string>();
  for (const p of protocols) {
    if (!TOKEN.test(p) || seen.has(p)) return bad(400, 'invalid WebSocket handshake: invalid Sec-WebSocket-Protocol header');
    seen.add(p);
  }
  return { ok: true, protocols };
}
