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
 * Anthropic messages (`POST /v1/messages`). A stream reports usage twice: input counts in
 * `message_start`, the cumulative output count in `message_delta` (which newer API versions
 * also fill with input and cache counts; the latest value of each wins).
 */
export const messages: EndpointAdapter = {
  readRequest: readModelAndStream,

  lastUserPrompt(body) {
    const list = arr(isObject(body) ? body.messages : undefined);
    const last = list[list.length - 1];
    if (!isObject(last) || last.role !== 'user') return undefined;
    return textOf(last.content, ['text']) || undefined;
  },

  readResponse(body) {
    const obs = emptyObservation();
    if (!isObject(body)) return obs;
    obs.responseId = str(body.id);
    const u: Json = isObject(body.usage) ? body.usage : {};
    obs.usage = isObject(body.usage) ? toUsage(u) : undefined;
    for (const block of arr(body.content)) {
      if (!isObject(block)) continue;
      if (block.type === 'tool_use' || block.type === 'server_tool_use') {
        obs.toolCalls.push({ id: str(block.id), name: str(block.name), input: JSON.stringify(block.input ?? {}) });
      } else if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking) {
        obs.thoughts.push(block.thinking);
      }
    }
    return obs;
  },

  observeStream(): StreamObserver {
    const obs = emptyObservation();
    const usage: Json = {};
    let sawUsage = false;
    const blocks = new Map<number, { type: string; id: string; name: string; input: string; thinking: string; initialInput: unknown }>();
    return {
      onEvent(ev) {
        if (!isObject(ev)) return;
        switch (ev.type) {
          case 'message_start': {
            const m = isObject(ev.message) ? ev.message : {};
            obs.responseId = str(m.id);
            if (isObject(m.usage)) {
              Object.assign(usage, m.usage);
              sawUsage = true;
            }
            break;
          }
          case 'content_block_start': {
            const b = isObject(ev.content_block) ? ev.content_block : {};
            blocks.set(num(ev.index), {
              type: str(b.type),
              id: str(b.id),
              name: str(b.name),
              input: '',
              thinking: str(b.thinking),
              initialInput: b.input,
            });
            break;
          }
          case 'content_block_delta': {
            const b = blocks.get(num(ev.index));
            const d = isObject(ev.delta) ? ev.delta : {};
            if (!b) break;
            if (d.type === 'input_json_delta') b.input += str(d.partial_json);
            else if (d.type === 'thinking_delta') b.thinking += str(d.thinking);
            break;
          }
          case 'message_delta': {
            if (isObject(ev.usage)) {
              for (const [k, v] of Object.entries(ev.usage)) if (v !== null && v !== undefined) usage[k] = v;
              sawUsage = true;
            }
            break;
          }
        }
      },
      result(): Observation {
        if (sawUsage) obs.usage = toUsage(usage);
        for (const [, b] of [...blocks.entries()].sort((x, y) => x[0] - y[0])) {
          if (b.type === 'tool_use' || b.type === 'server_tool_use') {
            const input = b.input || (b.initialInput !== undefined ? JSON.stringify(b.initialInput) : '{}');
            obs.toolCalls.push({ id: b.id, name: b.name, input });
          } else if (b.type === 'thinking' && b.thinking) {
            obs.thoughts.push(b.thinking);
          }
        }
        return obs;
      },
    };
  },
};

function toUsage(u: Json): TokenUsage {
  const metadata: Record<string, number> = {};
  const read = num(u.cache_read_input_tokens);
  const write = num(u.cache_creation_input_tokens);
  if (read) metadata.cache_read_input_tokens = read;
  if (write) metadata.cache_creation_input_tokens = write;
  return { inputTokens: num(u.input_tokens), outputTokens: num(u.output_tokens), metadata };
}
