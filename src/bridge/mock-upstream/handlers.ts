import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { anthropicModel, anthropicModelList, eventLoggingResult, message, messageEvents, policyLimits } from './anthropic.js';
import { anthropicError, openAiError, type Provider, type ProviderError } from './errors.js';
import { newId } from './ids.js';
import type { Knobs } from './knobs.js';
import { chatCompletion, chatCompletionChunks, openAiModel, openAiModelList } from './openai.js';
import { planReply, type Api } from './reply.js';
import { responseBody, responseEvents } from './responses.js';
import type { Route } from './routes.js';
import { sseSink } from './sse.js';
import { pumpFrames, type Frame } from './stream.js';

// The route handlers: each answers one routed, authorised, well-formed request.
type Json = Record<string, unknown>;

/** Everything a route handler needs about one request. */
export interface Exchange {
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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
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
export function sendError(x: Pick<Exchange, 'res' | 'headers' | 'knobs'>, err: ProviderError): void {
  const headers = err.status === 429 ? { ...x.headers, 'retry-after': x.knobs.retryAfter } : x.headers;
  sendJson(x.res, err.status, err.body, headers);
}

export function errorFor(provider: Provider, status: number, requestId: string, message?: string, param?: string): ProviderError {
  return provider === 'anthropic' ? anthropicError(status, requestId, message) : openAiError(status, { message, param });
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

export async function dispatch(x: Exchange, signal: AbortSignal): Promise<void> {
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

