import { newId, nowSeconds } from './ids.js';
import type { Reply, UsagePlan } from './reply.js';
import type { Frame } from './stream.js';

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`) and Models, as api.openai.com answers
 * them (platform.openai.com/docs/api-reference/chat).
 */
type Json = Record<string, unknown>;

const FINGERPRINT = 'fp_mock';

export function chatUsage(u: UsagePlan): Json {
  const prompt = u.input + u.cacheRead;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** The blocking `chat.completion` object. */
export function chatCompletion(model: string, reply: Reply): Json {
  const message: Json = reply.tool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: newId('call_'), type: 'function', function: { name: reply.tool.name, arguments: reply.tool.arguments } }],
        refusal: null,
        annotations: [],
      }
    : { role: 'assistant', content: reply.text, refusal: null, annotations: [] };
  return {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.tool ? 'tool_calls' : 'stop' }],
    usage: chatUsage(reply.usage),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/**
 * The `chat.completion.chunk` stream: a role chunk, one chunk per content piece (or tool-call
 * argument piece), a finish chunk, the usage chunk when `stream_options.include_usage`, and
 * `data: [DONE]`. With include_usage every other chunk carries `"usage":null`, as OpenAI does.
 */
export function* chatCompletionChunks(model: string, reply: Reply, includeUsage: boolean): Generator<Frame> {
  const head = `{"id":${JSON.stringify(newId('chatcmpl-'))},"object":"chat.completion.chunk","created":${nowSeconds()},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"${FINGERPRINT}","choices":`;
  const tail = includeUsage ? ',"usage":null}' : '}';
  const choice = (delta: string, finish: string | null) =>
    `[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]`;

  if (reply.tool) {
    const call = { index: 0, id: newId('call_'), type: 'function', function: { name: reply.tool.name, arguments: '' } };
    yield { data: head + choice(JSON.stringify({ role: 'assistant', content: null, tool_calls: [call], refusal: null }), null) + tail };
    for (const piece of reply.tool.argumentChunks) {
      yield { data: head + choice(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]}`, null) + tail, content: true };
    }
    yield { data: head + choice('{}', 'tool_calls') + tail };
  } else {
    yield { data: head + choice('{"role":"assistant","content":"","refusal":null}', null) + tail };
    for (const piece of reply.textChunks) {
      yield { data: head + choice(`{"content":${JSON.stringify(piece)}}`, null) + tail, content: true };
    }
    yield { data: head + choice('{}', 'stop') + tail };
  }
  if (includeUsage) yield { data: `${head}[],"usage":${JSON.stringify(chatUsage(reply.usage))}}` };
  yield { data: '[DONE]' };
}

/** The models the mock lists; any other model name is still accepted by completions. */
export const openAiModels: { id: string; created: number; owned_by: string }[] = [
  { id: 'gpt-4o', created: 1715367049, owned_by: 'system' },
  { id: 'gpt-4o-mini', created: 1721172741, owned_by: 'system' },
  { id: 'gpt-4.1', created: 1744316542, owned_by: 'system' },
  { id: 'gpt-4.1-mini', created: 1744318173, owned_by: 'system' },
  { id: 'gpt-5', created: 1754425777, owned_by: 'system' },
  { id: 'gpt-5-mini', created: 1754425928, owned_by: 'system' },
  { id: 'gpt-5-codex', created: 1757527818, owned_by: 'system' },
  { id: 'o4-mini', created: 1744225351, owned_by: 'system' },
];

export function openAiModelList(): Json {
  return { object: 'list', data: openAiModels.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.owned_by })) };
}

export function openAiModel(id: string): Json | undefined {
  const m = openAiModels.find((x) => x.id === id);
  return m && { id: m.id, object: 'model', created: m.created, owned_by: m.owned_by };
}
