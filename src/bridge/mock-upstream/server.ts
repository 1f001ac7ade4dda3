import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { listen } from '../../server/listen.js';
import { anthropicModel, anthropicModelList, eventLoggingResult, message, messageEvents, policyLimits } from './anthropic.js';
import { checkKey } from './auth.js';
import { anthropicError, openAiError, type Provider, type ProviderError } from './errors.js';
import { newId } from './ids.js';
import { parseKnobs, type Knobs } from './knobs.js';
import { chatCompletion, chatCompletionChunks, openAiModel, openAiModelList } from './openai.js';
import { planReply, type Api } from './reply.js';
import { RequestLog, type RecordedRequest } from './request-log.js';
import { responseBody, responseEvents } from './responses.js';
import { routeRequest, type Route } from './routes.js';
import { sseSink } from './sse.js';
import { pumpFrames, sleep, type Frame } from './stream.js';
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

/** Everything a route handler needs about one request. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  route: Route;
  knobs: Knobs;
  /** `x-request-id`/`openai-version` (OpenAI) or `request-id` (Anthropic). */
  headers: Record<string, string>;
  requestId: string;
  body: Json;
  bodyBytes: number;
}

export function providerHeaders(provider: Provider, requestId: string): Record<string, string> {
  return provider === 'anthropic' ? { 'request-id': requestId } : { 'x-request-id': requestId, 'openai-version': '2020-10-01' };
}

export function newRequestId(provider: Provider): string {
  return newId(provider === 'anthropic' ? 'req_011C' : 'req_');
}

/** The reason phrase; Node has none for 529, Anthropic's "overloaded" status. */
function statusText(status: number): string {
  return STATUS_CODES[status] ?? (status === 529 ? 'Overloaded' : 'Unknown');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  const data = JSON.stringify(body);
  res.writeHead(status, statusText(status), { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)), ...headers });
  res.end(data);
}

/** Sends a provider error; a 429 carries `retry-after`, as both providers send it. */
function sendError(x: Pick<Exchange, 'res' | 'headers' | 'knobs'>, err: ProviderError): void {
  const headers = err.status === 429 ? { ...x.headers, 'retry-after': x.knobs.retryAfter } : x.headers;
  sendJson(x.res, err.status, err.body, headers);
}

function errorFor(provider: Provider, status: number, requestId: string, message?: string, param?: string): ProviderError {
  return provider === 'anthropic' ? anthropicError(status, requestId, message) : openAiError(status, { message, param });
}

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

/** The first missing required field of a generation request, as the provider names it. */
function missingField(route: Route['name'], body: Json): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return 'model';
  if ((route === 'chat.completions' || route === 'messages' || route === 'messages.count_tokens') && !Array.isArray(body.messages)) return 'messages';
  if (route === 'messages' && typeof body.max_tokens !== 'number') return 'max_tokens';
  return undefined;
}

function missingFieldError(x: Exchange, field: string): ProviderError {
  if (x.route.provider === 'anthropic') return anthropicError(400, x.requestId, `${field}: Field required`);
  return openAiError(400, { message: `Missing required parameter: '${field}'.`, param: field, code: 'missing_required_parameter' });
}

/** Streams frames as SSE, or cuts the connection per `X-Mock-Abort-After`. */
async function stream(x: Exchange, frames: Iterable<Frame>, signal: AbortSignal): Promise<void> {
  await pumpFrames(frames, sseSink(x.res, x.headers), x.knobs, signal);
}

/** A blocking answer; with `X-Mock-Abort-After` the socket is destroyed before any byte. */
function answer(x: Exchange, body: unknown, status = 200): void {
  if (x.knobs.abortAfter !== undefined) {
    x.req.socket.destroy();
    return;
  }
  sendJson(x.res, status, body, x.headers);
}

async function generate(x: Exchange, api: Api, signal: AbortSignal): Promise<void> {
  const missing = missingField(x.route.name, x.body);
  if (missing) return sendError(x, missingFieldError(x, missing));
  const model = x.body.model as string;
  const reply = planReply(api, x.body, x.bodyBytes, x.knobs);
  const streaming = x.body.stream === true;
  if (api === 'chat') {
    if (!streaming) return answer(x, chatCompletion(model, reply));
    const includeUsage = (x.body.stream_options as Json | undefined)?.include_usage === true;
    return stream(x, chatCompletionChunks(model, reply, includeUsage), signal);
  }
  if (api === 'responses') {
    if (x.body.background === true) {
      return sendError(x, openAiError(400, { message: 'The mock upstream does not run background responses.', param: 'background' }));
    }
    if (!streaming) return answer(x, responseBody(x.body, reply));
    return stream(x, responseEvents(x.body, reply), signal);
  }
  if (!streaming) return answer(x, message(model, reply));
  return stream(x, messageEvents(model, reply), signal);
}

async function dispatch(x: Exchange, signal: AbortSignal): Promise<void> {
  const { route } = x;
  switch (route.name) {
    case 'chat.completions':
      return generate(x, 'chat', signal);
    case 'responses':
      return generate(x, 'responses', signal);
    case 'messages':
      return generate(x, 'messages', signal);
    case 'messages.count_tokens': {
      const missing = missingField(route.name, x.body);
      if (missing) return sendError(x, missingFieldError(x, missing));
      return answer(x, { input_tokens: x.knobs.inputTokens ?? Math.max(1, Math.ceil(x.bodyBytes / 4)) });
    }
    case 'openai.models':
      return answer(x, openAiModelList());
    case 'anthropic.models':
      return answer(x, anthropicModelList());
    case 'openai.model': {
      const m = openAiModel(route.id!);
      if (m) return answer(x, m);
      return sendError(
        x,
        openAiError(404, { message: `The model '${route.id}' does not exist or you do not have access to it.`, code: 'model_not_found' }),
      );
    }
    case 'anthropic.model': {
      const m = anthropicModel(route.id!);
      if (m) return answer(x, m);
      return sendError(x, anthropicError(404, x.requestId, `model: ${route.id}`));
    }
    case 'event_logging':
      return answer(x, eventLoggingResult(x.body));
    case 'claude_code.settings':
      // No managed settings: what api.anthropic.com answers an organisation without any.
      return answer(x, undefined, 204);
    case 'claude_code.policy_limits':
      return answer(x, policyLimits());
    case 'not_found': {
      const path = x.req.url ?? '/';
      const msg = route.provider === 'anthropic' ? 'Not Found' : `Invalid URL (${x.req.method} ${path.split('?')[0]})`;
      return sendError(x, errorFor(route.provider, 404, x.requestId, msg));
    }
  }
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
