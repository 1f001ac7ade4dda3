import {
  arr,
  emptyObservation,
  isObject,
  num,
  readModelAndStream,
  str,
  textOf,
  type EndpointAdapter,
  type Json,
  type Observation,
  type StreamObserver,
  type TokenUsage,
} from './types.js';

/**
 * OpenAI Responses (`POST /v1/responses`, and the same events over a WebSocket). The final
 * `response.completed` (or `.incomplete`, `.failed`) event carries the whole response object,
 * so a stream is read like a blocking body once it ends; output items seen on the way are kept
 * in case the final object leaves them out.
 */
export const responses: EndpointAdapter = {
  readRequest: readModelAndStream,

  lastUserPrompt(body) {
    if (!isObject(body)) return undefined;
    if (typeof body.input === 'string') return body.input || undefined;
    const items = arr(body.input);
    const last = items[items.length - 1];
    if (!isObject(last) || last.role !== 'user' || (last.type !== undefined && last.type !== 'message')) return undefined;
    return textOf(last.content, ['input_text', 'text']) || undefined;
  },

  readResponse(body) {
    const obs = emptyObservation();
    if (!isObject(body)) return obs;
    readResponseObject(body, obs);
    return obs;
  },

  observeStream(): StreamObserver {
    const obs = emptyObservation();
    const items: Json[] = [];
    let done = false;
    return {
      onEvent(ev) {
        if (!isObject(ev)) return;
        const type = str(ev.type);
        if (type === 'response.created' || type === 'response.in_progress') {
          if (isObject(ev.response) && !obs.responseId) obs.responseId = str(ev.response.id);
        } else if (type === 'response.output_item.done') {
          if (isObject(ev.item)) items.push(ev.item);
        } else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed' || type === 'response.done') {
          if (!isObject(ev.response)) return;
          const r = ev.response;
          const output = arr(r.output).length ? r : { ...r, output: items };
          obs.toolCalls = [];
          obs.thoughts = [];
          readResponseObject(output, obs);
          done = true;
        }
      },
      result(): Observation {
        if (!done) readOutput(items, obs);
        return obs;
      },
    };
  },
};

/** True for the events that end one response on a Responses stream or WebSocket. */
/**
 * Whether a frame's text can hold a final event (see isFinalResponseEvent): when nothing is
 * recorded, only such frames are parsed. A false positive costs one parse; a final event
 * always names its type in the text (unless spelt with \u escapes, which no provider does).
 */
export function mayBeFinalResponseEvent(text: string): boolean {
  return text.includes('error') || /response\.(?:completed|incomplete|failed|done)/.test(text);
}

export function isFinalResponseEvent(ev: unknown): boolean {
  if (!isObject(ev)) return false;
  const t = ev.type;
  return t === 'response.completed' || t === 'response.incomplete' || t === 'response.failed' || t === 'response.done' || t === 'error';
}

function readResponseObject(r: Json, obs: Observation): void {
  obs.responseId = str(r.id) || obs.responseId;
  obs.usage = usageOf(r.usage) ?? obs.usage;
  readOutput(arr(r.output), obs);
}

function readOutput(items: unknown[], obs: Observation): void {
  for (const item of items) {
    if (!isObject(item)) continue;
    if (item.type === 'function_call') {
      obs.toolCalls.push({ id: str(item.call_id) || str(item.id), name: str(item.name), input: str(item.arguments) });
    } else if (item.type === 'custom_tool_call') {
      obs.toolCalls.push({ id: str(item.call_id) || str(item.id), name: str(item.name), input: str(item.input) });
    } else if (item.type === 'reasoning') {
      const text = textOf(item.summary, ['summary_text']);
      if (text) obs.thoughts.push(text);
    }
  }
}

function usageOf(u: unknown): TokenUsage | undefined {
  if (!isObject(u)) return undefined;
  const cached = num((u.input_tokens_details as Json | undefined)?.cached_tokens);
  const reasoningTokens = num((u.output_tokens_details as Json | undefined)?.reasoning_tokens);
  const metadata: Record<string, number> = {};
  if (cached) metadata.cache_read_input_tokens = cached;
  if (reasoningTokens) metadata.reasoning_tokens = reasoningTokens;
  return { inputTokens: Math.max(0, num(u.input_tokens) - cached), outputTokens: num(u.output_tokens), metadata };
}
