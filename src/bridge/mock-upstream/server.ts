import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { listen } from '../../server/index.js';
import { checkKey } from './auth.js';
import { openAiError } from './errors.js';
import { dispatch, errorFor, newRequestId, providerHeaders, sendError, sendJson, type Exchange } from './handlers.js';
import { parseKnobs } from './knobs.js';
import { RequestLog, type RecordedRequest } from './request-log.js';
import { routeRequest } from './routes.js';
import { sleep } from './stream.js';
import { attachResponsesWebSocket } from './websocket.js';

export interface MockUpstreamOptions {
  /** `host:port` to listen on; port 0 picks a free one. Default `127.0.0.1:0`. */
  address?: string;
  /** When set, every provider request must carry this key (see `checkKey`). */
  key?: string;
  /** Logs one line per request at debug level when given; nothing is logged otherwise. */
  log?: Logger;
  /** How many requests `requests()` and `GET /__mock/requests` keep. Default 100. */
  keep?: number;
}

export interface MockUpstream {
  /** `http://host:port`: the Anthropic base URL; the OpenAI one is `${url}/v1`. */
  url: string;
  address: string;
  /** The last requests received, oldest first. */
  requests(): RecordedRequest[];
  clear(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** The largest body the mock reads (OpenAI and Anthropic both refuse far less). */
const BODY_LIMIT = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that goes away mid-body: nothing to answer (a no-op once 'end' resolved).
    req.on('close', () => reject(new Error('request closed before its body ended')));
  });
}

/**
 * Starts a local server speaking the OpenAI (`/v1/chat/completions`, `/v1/responses` over
 * HTTP and WebSocket, `/v1/models`) and Anthropic (`/v1/messages`, `count_tokens`,
 * `/v1/models`, Claude Code's `/api/…`) wire formats, steered per request by `X-Mock-*`
 * headers (see knobs.ts). It records the last requests for tests (`requests()`,
 * `GET /__mock/requests`).
 */
export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const log = new RequestLog(opts.keep ?? 100);
  const closing = new AbortController();
  const logRequests = opts.log?.isLevelEnabled('debug') ? opts.log : undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (path === '/__mock/requests') {
      if (method === 'GET') return sendJson(res, 200, log.list(), {});
      if (method === 'DELETE') {
        log.clear();
        return sendJson(res, 204, undefined, {});
      }
      return sendJson(res, 405, { message: 'GET or DELETE' }, { allow: 'GET, DELETE' });
    }

    const route = routeRequest(method, path, req.headers);
    const knobs = parseKnobs(req.headers);
    const requestId = newRequestId(route.provider);
    const x: Exchange = { req, res, route, knobs, requestId, headers: providerHeaders(route.provider, requestId), body: {}, bodyBytes: 0 };

    const raw = await readBody(req);
    if (raw === undefined) {
      log.add({ method, path: url, headers: req.headers, body: undefined, receivedAt: Date.now() });
      return sendError(x, errorFor(route.provider, 413, requestId));
    }
    let parsed: unknown;
    let malformed = false;
    if (raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
        malformed = true;
      }
    }
    log.add({ method, path: url, headers: req.headers, body: parsed, receivedAt: Date.now() });
    x.bodyBytes = raw.length;

    await sleep(knobs.delayMs, closing.signal);
    if (res.destroyed) return;
    const denied = checkKey(route.provider, req.headers, opts.key, requestId);
    if (denied) return sendError(x, denied);
    if (knobs.status !== undefined) return sendError(x, errorFor(route.provider, knobs.status, requestId));
    if (malformed || (parsed !== undefined && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)))) {
      const msg =
        route.provider === 'anthropic'
          ? 'There was an issue with the formatting or special characters in your request body: it is not a JSON object.'
          : "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
      return sendError(x, errorFor(route.provider, 400, requestId, msg));
    }
    x.body = (parsed as Json | undefined) ?? {};
    await dispatch(x, closing.signal);
  }

  const server = createServer((req, res) => {
    if (logRequests) {
      const started = Date.now();
      res.once('finish', () => logRequests.debug({ method: req.method, path: req.url, status: res.statusCode, ms: Date.now() - started }, 'mock request'));
    }
    handle(req, res).catch((err: unknown) => {
      if (res.destroyed) return;
      opts.log?.warn({ err }, 'mock upstream handler failed');
      if (!res.headersSent) sendJson(res, 500, openAiError(500).body, {});
      else res.destroy();
    });
  });
  const ws = attachResponsesWebSocket(server, { key: opts.key, log, signal: closing.signal });
  const address = await listen(server, opts.address ?? '127.0.0.1:0');

  return {
    url: `http://${address}`,
    address,
    requests: () => log.list(),
    clear: () => log.clear(),
    close: async () => {
      closing.abort();
      ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
