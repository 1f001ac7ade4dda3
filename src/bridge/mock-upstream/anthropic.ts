import { newId } from './ids.js';
import type { Reply, UsagePlan } from './reply.js';
import type { Frame } from './stream.js';

/**
 * Anthropic Messages (`POST /v1/messages`, docs.anthropic.com/en/api/messages and
 * …/messages-streaming), Models, and the endpoints Claude Code calls before its first message.
 */
type Json = Record<string, unknown>;

export function messageUsage(u: UsagePlan, output = u.output): Json {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  };
}

/** A stable, signature-shaped string for a thinking block. */
function signatureFor(thinking: string): string {
  return Buffer.from(`mock-signature:${thinking.length}`).toString('base64');
}

interface Blocks {
  thinking?: Json;
  text?: Json;
  tool?: Json;
}

function contentBlocks(reply: Reply): Blocks {
  const b: Blocks = {};
  if (reply.thinking !== undefined) b.thinking = { type: 'thinking', thinking: reply.thinking, signature: signatureFor(reply.thinking) };
  if (reply.tool) {
    b.tool = { type: 'tool_use', id: newId('toolu_01'), name: reply.tool.name, input: JSON.parse(reply.tool.arguments) as unknown };
  } else {
    b.text = { type: 'text', text: reply.text };
  }
  return b;
}

function stopReason(reply: Reply): string {
  return reply.tool ? 'tool_use' : 'end_turn';
}

/** The blocking `message` object. */
export function message(model: string, reply: Reply): Json {
  const b = contentBlocks(reply);
  return {
    id: newId('msg_01'),
    type: 'message',
    role: 'assistant',
    model,
    content: [b.thinking, b.text, b.tool].filter(Boolean),
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: messageUsage(reply.usage),
  };
}

/**
 * The event stream, in Anthropic's order: `message_start`, then per block
 * `content_block_start`, deltas (`thinking_delta` + `signature_delta`, `text_delta`,
 * `input_json_delta`), `content_block_stop` — with one `ping` after the first block starts —
 * then `message_delta` (stop_reason, usage.output_tokens) and `message_stop`.
 */
export function* messageEvents(model: string, reply: Reply): Generator<Frame> {
  const ev = (type: string, body: Json, content = false): Frame => ({ event: type, data: JSON.stringify({ type, ...body }), content });
  yield ev('message_start', {
    message: {
      id: newId('msg_01'),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: messageUsage(reply.usage, Math.min(1, reply.usage.output)),
    },
  });
  const b = contentBlocks(reply);
  let index = 0;
  const start = function* (block: Json): Generator<Frame> {
    yield ev('content_block_start', { index, content_block: block });
    if (index === 0) yield ev('ping', {});
  };

  if (b.thinking) {
    yield* start({ type: 'thinking', thinking: '', signature: '' });
    for (const thinking of reply.thinkingChunks) yield ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } }, true);
    yield ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: b.thinking.signature } });
    yield ev('content_block_stop', { index });
    index++;
  }
  if (b.text) {
    yield* start({ type: 'text', text: '' });
    for (const text of reply.textChunks) yield ev('content_block_delta', { index, delta: { type: 'text_delta', text } }, true);
    yield ev('content_block_stop', { index });
    index++;
  }
  if (b.tool) {
    yield* start({ ...b.tool, input: {} });
    for (const partial_json of reply.tool!.argumentChunks) {
      yield ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }, true);
    }
    yield ev('content_block_stop', { index });
  }
  const u = reply.usage;
  yield ev('message_delta', {
    delta: { stop_reason: stopReason(reply), stop_sequence: null },
    usage: { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output },
  });
  yield ev('message_stop', {});
}

export const anthropicModels: { id: string; display_name: string; created_at: string }[] = [
  { id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  { id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-14T00:00:00Z' },
];

export function anthropicModelList(): Json {
  const data = anthropicModels.map((m) => ({ type: 'model', ...m }));
  return { data, has_more: false, first_id: data[0]!.id, last_id: data[data.length - 1]!.id };
}

export function anthropicModel(id: string): Json | undefined {
  const m = anthropicModels.find((x) => x.id === id);
  return m && { type: 'model', ...m };
}

/** `POST /api/event_logging/batch`: Claude Code's telemetry; accepted and dropped. */
export function eventLoggingResult(body: unknown): Json {
  const events = body && typeof body === 'object' ? (body as Json).events : undefined;
  return { accepted_count: Array.isArray(events) ? events.length : 0, rejected_count: 0 };
}

/** `GET /api/claude_code/policy_limits`: no organisation restrictions. */
export function policyLimits(): Json {
  return { restrictions: {} };
}
