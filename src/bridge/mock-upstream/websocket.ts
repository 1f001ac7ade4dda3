import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { checkKey } from './auth.js';
import { openAiError, type ProviderError } from './errors.js';
import { newRequestId, providerHeaders } from './handlers.js';
import { parseKnobs, type Knobs } from './knobs.js';
import { planReply } from './reply.js';
import type { RequestLog } from './request-log.js';
import { responseEvents } from './responses.js';
import { pumpFrames, sleep, type FrameSink } from './stream.js';

/**
 * The Responses API over WebSocket (`GET /v1/responses` with `Upgrade: websocket`), as Codex
 * uses it: the client sends `{"type":"response.create", …the POST /v1/responses body fields…}`
 * and gets the same `response.*` events as the SSE stream, one JSON text message each, on the
 * same connection, one response at a time. `response.processed` (Codex's acknowledgement) needs
 * no answer. A failure after the upgrade is an `{"type":"error","status",…,"error":{…}}` message
 * (the shape codex-rs `responses_websocket.rs` parses); a refused upgrade is a plain HTTP error.
 *
 * The `X-Mock-*` headers of the upgrade request steer every response on the connection;
 * `X-Mock-Status` (and a wrong key with `--key`) refuses the upgrade with that status.
 */
export interface WebSocketDeps {
  key?: string;
  log: RequestLog;
  signal: AbortSignal;
}

type Json = Record<string, unknown>;

function refuse(socket: Duplex, err: ProviderError, headers: Record<string, string>): void {
  const body = JSON.stringify(err.body);
  const lines = [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function wsError(status: number, type: string, message: string, code: string | null = null, param: string | null = null): string {
  return JSON.stringify({ type: 'error', status, error: { type, code, message, param } });
}

function sinkFor(ws: WebSocket): FrameSink {
  return {
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    // Each message waits for its write callback: the next one goes out after it was flushed.
    write: (f) => new Promise<void>((resolve) => ws.send(f.data, () => resolve())),
    abort: () => ws.terminate(),
    end: () => {},
  };
}

async function serveMessage(ws: WebSocket, req: IncomingMessage, knobs: Knobs, data: RawData, deps: WebSocketDeps): Promise<void> {
  const text = data.toString();
  let msg: Json;
  try {
    msg = JSON.parse(text) as Json;
  } catch {
    deps.log.add({ method: 'WS', path: req.url ?? '/', headers: req.headers, body: text, receivedAt: Date.now() });
    ws.send(wsError(400, 'invalid_request_error', 'Invalid JSON in WebSocket message.', 'invalid_json'));
    return;
  }
  deps.log.add({ method: 'WS', path: req.url ?? '/', headers: req.headers, body: msg, receivedAt: Date.now() });
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
    ws.send(wsError(400, 'invalid_request_error', 'WebSocket messages must be JSON objects.'));
    return;
  }
  if (msg.type === 'response.processed') return;
  if (msg.type !== 'response.create') {
    ws.send(wsError(400, 'invalid_request_error', `Unsupported event type: ${String(msg.type)}`, 'unsupported_event_type', 'type'));
    return;
  }
  const { type: _type, ...body } = msg;
  if (typeof body.model !== 'string' || body.model === '') {
    ws.send(wsError(400, 'invalid_request_error', "Missing required parameter: 'model'.", 'missing_required_parameter', 'model'));
    return;
  }
  await sleep(knobs.delayMs, deps.signal);
  const reply = planReply('responses', body, Buffer.byteLength(text), knobs);
  await pumpFrames(responseEvents(body, reply), sinkFor(ws), knobs, deps.signal);
}

/** Serves WebSocket upgrades of `/v1/responses` on `server`; `close()` drops every connection. */
export function attachResponsesWebSocket(server: Server, deps: WebSocketDeps): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  const requestIds = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (lines, req) => {
    const id = requestIds.get(req);
    if (id) lines.push(`x-request-id: ${id}`);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      socket.on('error', () => socket.destroy());
      const url = req.url ?? '/';
      const path = url.split('?')[0];
      deps.log.add({ method: req.method ?? 'GET', path: url, headers: req.headers, body: undefined, receivedAt: Date.now() });
      const requestId = newRequestId('openai');
      const headers = providerHeaders('openai', requestId);
      if (path !== '/v1/responses') {
        return refuse(socket, openAiError(404, { message: `Invalid URL (${req.method} ${path})` }), headers);
      }
      const knobs = parseKnobs(req.headers);
      const denied = checkKey('openai', req.headers, deps.key, requestId);
      if (denied) return refuse(socket, denied, headers);
      if (knobs.status !== undefined) {
        await sleep(knobs.delayMs, deps.signal);
        const extra = knobs.status === 429 ? { ...headers, 'retry-after': knobs.retryAfter } : headers;
        return refuse(socket, openAiError(knobs.status), extra);
      }
      requestIds.set(req, requestId);
      wss.handleUpgrade(req, socket, head, (ws) => {
        // One response at a time per connection, in the order the client asked.
        let queue = Promise.resolve();
        ws.on('message', (data) => {
          queue = queue.then(() => serveMessage(ws, req, knobs, data, deps)).catch(() => ws.terminate());
        });
        ws.on('error', () => ws.terminate());
      });
    })();
  });

  return {
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
