import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { Params, UpgradeHandler } from '../server/index.js';
import { admit, type Admitted } from './admit.js';
import type { BridgeContext, ResolvedProvider } from './context.js';
import { pathUnderProvider } from './handler.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { isFinalResponseEvent, mayBeFinalResponseEvent } from './intercept/responses.js';
import { isObject, type EndpointAdapter, type StreamObserver } from './intercept/types.js';
import { Interception } from './interception.js';
import type { Endpoint } from './providers/index.js';
import { chooseWebSocketRoute, upstreamPath } from './routes.js';
import { errorCode } from './upstream.js';
import { checkHandshake } from './ws-handshake.js';

/** Largest WebSocket message relayed (both ways). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Largest upstream refusal body passed back on a failed handshake. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** Writes an HTTP response on a socket that was never upgraded, and closes it. */
function refuseUpgrade(socket: Duplex, status: number, body: unknown, headers: string[] = []): void {
  if (socket.destroyed) return;
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: ${data.length}\r\n`;
  let hasType = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    if (name === 'content-length' || name === 'connection') continue;
    if (name === 'content-type') hasType = true;
    head += `${headers[i]}: ${headers[i + 1].replace(/[\r\n]/g, '')}\r\n`;
  }
  if (!hasType) head += 'Content-Type: application/json\r\n';
  socket.end(head + '\r\n' + data.toString('latin1'), 'latin1');
}

/** A close code that may be sent on (1005 and 1006 are reserved for "none" and "abnormal"). */
function sendableCode(code: number): number | undefined {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999) ? code : undefined;
}

function closeWith(ws: WebSocket, code: number, reason: Buffer): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  const c = sendableCode(code);
  if (ws.readyState !== WebSocket.OPEN) ws.terminate();
  else if (c === undefined) ws.close();
  else ws.close(c, reason.length <= 123 ? reason : undefined);
}

/**
 * Responses over WebSocket (Codex opens `wss://api.openai.com/v1/responses` first and falls
 * back to HTTPS only after five failed tries, coder/coder#28486). The handshake is authenticated
 * like any request; the upstream WebSocket is opened with the same credential rules, and only
 * once it is open is the client's upgrade accepted, so upstream refusals reach the client as
 * the HTTP answers they were. Frames are relayed both ways as they come; each `response.create`
 * the client sends is recorded as an interception, ended by the upstream's final
 * `response.*` event.
 */
export function websocketHandler(ctx: BridgeContext): UpgradeHandler & { close(): void } {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_MESSAGE_BYTES });
  const live = new Set<WebSocket>();

  const handler = async (req: IncomingMessage, socket: Duplex, head: Buffer, params: Params) => {
    const name = params.provider ?? '';
    const provider = ctx.providers.get(name);
    const where = provider ? pathUnderProvider(req.url ?? '/', name) : undefined;
    const route = provider && where ? chooseWebSocketRoute(provider, where.path) : undefined;
    if (!provider || !where || !route) {
      const msg = `route not supported: GET /${name}/${params['*'] ?? ''} (WebSocket)`;
      refuseUpgrade(socket, 404, provider ? provider.errorBody('not_found', msg) : { message: msg });
      return;
    }
    socket.on('error', () => socket.destroy());
    // Checked before anything is held: ws refuses a bad handshake by itself without calling
    // back, which would strand the slot and the upstream socket.
    const hs = checkHandshake(req);
    if (!hs.ok) {
      refuseUpgrade(socket, hs.status, provider.errorBody('invalid_request', hs.message), hs.headers);
      return;
    }
    const a = await admit(ctx, provider, req.headers);
    if (!a.ok) {
      refuseUpgrade(socket, a.status, provider.errorBody(a.kind, a.message), a.headers);
      return;
    }
    let upstream: WebSocket | undefined;
    /** Until the client is accepted, this gives everything back; afterwards bridgeFrames owns both. */
    let accepted = false;
    const abandon = () => {
      if (accepted) return;
      upstream?.terminate();
      a.release();
    };
    socket.once('close', abandon);
    try {
      if (socket.destroyed) return abandon();
      const target = upstreamPath(provider.basePath, provider.basePathPrefix, where.path, where.query);
      const headers: Record<string, string> = {};
      const raw = upstreamRequestHeaders(req.rawHeaders, a.plan, true);
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i].toLowerCase();
        headers[k] = headers[k] === undefined ? raw[i + 1] : `${headers[k]}, ${raw[i + 1]}`;
      }
      const up = new WebSocket(provider.wsOrigin + target, hs.protocols, {
        headers,
        perMessageDeflate: false,
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 30_000,
      });
      upstream = up;
      let opened = false;
      let answered = false;
      const answer = (status: number, body: unknown, hdrs?: string[]) => {
        if (answered) return;
        answered = true;
        refuseUpgrade(socket, status, body, hdrs);
        abandon();
      };
      up.once('unexpected-response', (_r, upRes) => {
        const chunks: Buffer[] = [];
        let size = 0;
        upRes.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_REFUSAL_BYTES) chunks.push(c);
        });
        upRes.once('end', () => {
          answer(upRes.statusCode ?? 502, Buffer.concat(chunks), downstreamResponseHeaders(upRes.rawHeaders, []));
          up.terminate();
        });
        upRes.once('error', () => socket.destroy());
      });
      up.on('error', (err) => {
        if (!opened) answer(502, provider.errorBody('bad_gateway', `upstream provider unreachable (${errorCode(err)})`));
      });
      up.once('open', () => {
        opened = true;
        if (socket.destroyed) return abandon();
        try {
          // Should ws still refuse the client, it closes the socket and `abandon` runs.
          wss.handleUpgrade(req, socket, head, (client) => {
            accepted = true;
            socket.off('close', abandon);
            live.add(client);
            bridgeFrames(ctx, provider, route.endpoint, where.path, a, req, client, up, () => live.delete(client));
          });
        } catch (err) {
          ctx.log.warn({ err }, 'websocket upgrade failed');
          abandon();
          socket.destroy();
        }
      });
    } catch (err) {
      abandon();
      throw err;
    }
  };

  return Object.assign(
    (req: IncomingMessage, socket: Duplex, head: Buffer, params: Params) =>
      handler(req, socket, head, params).catch((err) => {
        ctx.log.warn({ err }, 'websocket bridge failed');
        socket.destroy();
      }),
    {
      close() {
        for (const c of live) c.terminate();
        wss.close();
      },
    },
  );
}

/** Relays frames between an accepted client and the open upstream, recording responses. */
function bridgeFrames(
  ctx: BridgeContext,
  provider: ResolvedProvider,
  endpoint: Endpoint,
  path: string,
  a: Admitted,
  req: IncomingMessage,
  client: WebSocket,
  upstream: WebSocket,
  onGone: () => void,
): void {
  const adapter = provider.adapters[endpoint] as EndpointAdapter;
  /** Responses asked for and not yet ended, oldest first (one at a time in practice). */
  const pending: { ic?: Interception; observer: StreamObserver; prompt: string | undefined }[] = [];

  client.on('message', (data: RawData, isBinary: boolean) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    if (isBinary) return;
    const text = textOf(data);
    if (!text.includes('response.create')) return;
    const ev = parse(text);
    if (!isObject(ev) || ev.type !== 'response.create') return;
    const params = isObject(ev.response) ? ev.response : ev;
    // Codex's warm-up (`generate: false`) produces a response with no output: not an
    // interception, but its events still come and must be matched to it.
    if (params.generate === false) {
      pending.push({ observer: adapter.observeStream(), prompt: undefined });
      return;
    }
    const facts = adapter.readRequest(params);
    const ic = new Interception(ctx, provider, endpoint, path, a, req.headers, facts.model);
    pending.push({ ic, observer: adapter.observeStream(), prompt: ctx.recording ? adapter.lastUserPrompt(params) : undefined });
  });

  upstream.on('message', (data: RawData, isBinary: boolean) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    if (isBinary || !pending.length) return;
    const text = textOf(data);
    // Without recording, only the final event matters (it ends the interception).
    if (!ctx.recording && !mayBeFinalResponseEvent(text)) return;
    const ev = parse(text);
    const cur = pending[0];
    if (ctx.recording && cur.ic) cur.observer.onEvent(ev);
    if (isFinalResponseEvent(ev)) {
      pending.shift();
      const failed = isObject(ev) && (ev.type === 'error' || ev.type === 'response.failed');
      cur.ic?.end({ status: failed ? 500 : 200, completed: true }, ctx.recording ? cur.observer.result() : undefined, cur.prompt);
    }
  });

  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    for (const p of pending.splice(0)) p.ic?.end({ status: 0, completed: false }, ctx.recording ? p.observer.result() : undefined, p.prompt);
    a.release();
    onGone();
  };
  client.on('close', (code, reason) => {
    closeWith(upstream, code, reason);
    end();
  });
  upstream.on('close', (code, reason) => {
    closeWith(client, code, reason);
    end();
  });
  client.on('error', () => upstream.terminate());
  upstream.on('error', () => client.terminate());
}

function textOf(data: RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
