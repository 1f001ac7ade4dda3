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

const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true},');

/**
 * OpenAI chat completions (`POST /v1/chat/completions`). Usage comes in the body, or in the last
 * chunk of a stream when `stream_options.include_usage` is set, which the bridge sets when absent
 * so that usage is always recorded.
 */
export const chatCompletions: EndpointAdapter = {
  readRequest: readModelAndStream,

  lastUserPrompt(body) {
    const messages = arr(isObject(body) ? body.messages : undefined);
    const last = messages[messages.length - 1];
    if (!isObject(last) || last.role !== 'user') return undefined;
    return textOf(last.content, ['text']) || undefined;
  },

  rewrite(raw, body, facts) {
    if (!facts.stream) return raw;
    const opts = isObject(body.stream_options) ? body.stream_options : undefined;
    if (opts?.include_usage === true) return raw;
    if (body.stream_options === undefined) {
      // The common case (SDKs send no stream_options): splice the member in after the opening
      // brace instead of serialising a long conversation again.
      const i = raw.indexOf(0x7b /* { */);
      if (i >= 0) return Buffer.concat([raw.subarray(0, i + 1), INCLUDE_USAGE, raw.subarray(i + 1)]);
    }
    body.stream_options = { ...opts, include_usage: true };
    return Buffer.from(JSON.stringify(body));
  },

  readResponse(body) {
    const obs = emptyObservation();
    if (!isObject(body)) return obs;
    obs.responseId = str(body.id);
    obs.usage = usageOf(body.usage);
    for (const choice of arr(body.choices)) {
      if (!isObject(choice) || !isObject(choice.message)) continue;
      const m = choice.message;
      for (const tc of arr(m.tool_calls)) {
        if (!isObject(tc)) continue;
        const fn = isObject(tc.function) ? tc.function : {};
        obs.toolCalls.push({ id: str(tc.id), name: str(fn.name), input: str(fn.arguments) });
      }
      const reasoning = str(m.reasoning_content) || str(m.reasoning);
      if (reasoning) obs.thoughts.push(reasoning);
    }
    return obs;
  },

  observeStream(): StreamObserver {
    const obs = emptyObservation();
    const calls = new Map<number, { id: string; name: string; input: string }>();
    let reasoning = '';
    return {
      onEvent(ev) {
        if (!isObject(ev)) return;
        if (!obs.responseId && typeof ev.id === 'string') obs.responseId = ev.id;
        if (isObject(ev.usage)) obs.usage = usageOf(ev.usage);
        for (const choice of arr(ev.choices)) {
          if (!isObject(choice) || !isObject(choice.delta)) continue;
          const d = choice.delta;
          if (typeof d.reasoning_content === 'string') reasoning += d.reasoning_content;
          else if (typeof d.reasoning === 'string') reasoning += d.reasoning;
          for (const tc of arr(d.tool_calls)) {
            if (!isObject(tc)) continue;
            const index = num(tc.index);
            let c = calls.get(index);
            if (!c) calls.set(index, (c = { id: '', name: '', input: '' }));
            if (typeof tc.id === 'string' && tc.id) c.id = tc.id;
            const fn = isObject(tc.function) ? tc.function : {};
            if (typeof fn.name === 'string') c.name += fn.name;
            if (typeof fn.arguments === 'string') c.input += fn.arguments;
          }
        }
      },
      result(): Observation {
        obs.toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
        obs.thoughts = reasoning ? [reasoning] : [];
        return obs;
      },
    };
  },
};

function usageOf(u: unknown): TokenUsage | undefined {
  if (!isObject(u)) return undefined;
  const cached = num((u.prompt_tokens_details as Json | undefined)?.cached_tokens);
  const reasoningTokens = num((u.completion_tokens_details as Json | undefined)?.reasoning_tokens);
  const metadata: Record<string, number> = {};
  if (cached) metadata.cache_read_input_tokens = cached;
  if (reasoningTokens) metadata.reasoning_tokens = reasoningTokens;
  return { inputTokens: Math.max(0, num(u.prompt_tokens) - cached), outputTokens: num(u.completion_tokens), metadata };
}
