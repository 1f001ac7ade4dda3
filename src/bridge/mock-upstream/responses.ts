import { newId } from './ids.js';
import type { Reply, UsagePlan } from './reply.js';
import type { Frame } from './stream.js';

/**
 * OpenAI Responses (`POST /v1/responses`, platform.openai.com/docs/api-reference/responses):
 * the response object and the `response.*` event stream, shared by SSE and the WebSocket mode.
 */
type Json = Record<string, unknown>;

export function responsesUsage(u: UsagePlan): Json {
  const input = u.input + u.cacheRead;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cacheRead },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: input + u.output,
  };
}

/** The response object around `output`; `usage` is null while in progress. */
function responseObject(id: string, createdAt: number, body: Json, status: string, output: Json[], usage: Json | null): Json {
  const reasoning = (body.reasoning as Json | undefined) ?? {};
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: null,
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: body.metadata ?? {},
  };
}

interface Items {
  reasoning?: Json;
  message?: Json;
  call?: Json;
}

function outputItems(reply: Reply): Items {
  const items: Items = {};
  if (reply.thinking !== undefined) {
    items.reasoning = { id: newId('rs_'), type: 'reasoning', summary: [{ type: 'summary_text', text: reply.thinking }] };
  }
  if (reply.tool) {
    items.call = {
      id: newId('fc_'),
      type: 'function_call',
      status: 'completed',
      arguments: reply.tool.arguments,
      call_id: newId('call_'),
      name: reply.tool.name,
    };
  } else {
    items.message = {
      id: newId('msg_'),
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.text }],
      role: 'assistant',
    };
  }
  return items;
}

function list(items: Items): Json[] {
  return [items.reasoning, items.message, items.call].filter((x): x is Json => x !== undefined);
}

/** The blocking response object. */
export function responseBody(body: Json, reply: Reply): Json {
  return responseObject(newId('resp_'), Math.floor(Date.now() / 1000), body, 'completed', list(outputItems(reply)), responsesUsage(reply.usage));
}

/**
 * The streamed events, in OpenAI's order: `response.created`, `response.in_progress`, then per
 * output item `output_item.added`, its parts and deltas, `output_item.done`, and finally
 * `response.completed` with usage. `generate: false` (Codex's WebSocket warm-up) produces no
 * output. Every event carries `type` and an increasing `sequence_number`.
 */
export function* responseEvents(body: Json, reply: Reply): Generator<Frame> {
  const id = newId('resp_');
  const createdAt = Math.floor(Date.now() / 1000);
  let seq = 0;
  const ev = (type: string, fields: Json, content = false): Frame => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: seq++, ...fields }),
    content,
  });
  yield ev('response.created', { response: responseObject(id, createdAt, body, 'in_progress', [], null) });
  yield ev('response.in_progress', { response: responseObject(id, createdAt, body, 'in_progress', [], null) });
  if (body.generate === false) {
    const usage = responsesUsage({ ...reply.usage, output: 0, reasoning: 0 });
    yield ev('response.completed', { response: responseObject(id, createdAt, body, 'completed', [], usage) });
    return;
  }
  const items = outputItems(reply);
  let output_index = 0;

  if (items.reasoning) {
    const item_id = items.reasoning.id;
    const text = reply.thinking!;
    yield ev('response.output_item.added', { output_index, item: { id: item_id, type: 'reasoning', summary: [] } });
    const at = { item_id, output_index, summary_index: 0 };
    yield ev('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
    for (const delta of reply.thinkingChunks) yield ev('response.reasoning_summary_text.delta', { ...at, delta }, true);
    yield ev('response.reasoning_summary_text.done', { ...at, text });
    yield ev('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text } });
    yield ev('response.output_item.done', { output_index, item: items.reasoning });
    output_index++;
  }

  if (items.message) {
    const item_id = items.message.id;
    yield ev('response.output_item.added', {
      output_index,
      item: { id: item_id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    const at = { item_id, output_index, content_index: 0 };
    yield ev('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    for (const delta of reply.textChunks) yield ev('response.output_text.delta', { ...at, delta, logprobs: [] }, true);
    yield ev('response.output_text.done', { ...at, text: reply.text, logprobs: [] });
    yield ev('response.content_part.done', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: reply.text } });
    yield ev('response.output_item.done', { output_index, item: items.message });
    output_index++;
  }

  if (items.call) {
    const item_id = items.call.id;
    yield ev('response.output_item.added', { output_index, item: { ...items.call, status: 'in_progress', arguments: '' } });
    for (const delta of reply.tool!.argumentChunks) yield ev('response.function_call_arguments.delta', { item_id, output_index, delta }, true);
    yield ev('response.function_call_arguments.done', { item_id, output_index, arguments: reply.tool!.arguments });
    yield ev('response.output_item.done', { output_index, item: items.call });
  }

  yield ev('response.completed', {
    response: responseObject(id, createdAt, body, 'completed', list(items), responsesUsage(reply.usage)),
  });
}
