/**
 * What the bridge reads from one API shape (chat completions, responses, messages): the facts of
 * a request, and the usage, tool calls and thinking of a response, whole or streamed. Adapters
 * are pure: bodies and events in, values out.
 */

/** Token usage of one upstream response. */
export interface TokenUsage {
  /** Input tokens, cached ones excluded (as Coder records them for OpenAI). */
  inputTokens: number;
  outputTokens: number;
  /** Other counts: cache_read_input_tokens, cache_creation_input_tokens, reasoning_tokens… */
  metadata: Record<string, number>;
}

export interface ToolCall {
  /** The provider's id of the call (`call_…`, `toolu_…`). */
  id: string;
  name: string;
  /** The arguments as JSON text. */
  input: string;
}

/** What one upstream response said, for the recorder. */
export interface Observation {
  responseId: string;
  usage?: TokenUsage;
  toolCalls: ToolCall[];
  thoughts: string[];
}

export interface RequestFacts {
  model: string;
  stream: boolean;
}

/** Reads a stream one event at a time: an SSE `data:` payload or a WebSocket message, parsed. */
export interface StreamObserver {
  onEvent(event: unknown): void;
  result(): Observation;
}

export interface EndpointAdapter {
  readRequest(body: unknown): RequestFacts;
  /** The text of the last message when the user wrote it (not a tool result); else undefined. */
  lastUserPrompt(body: unknown): string | undefined;
  /**
   * The bytes to forward for a request body (`raw`, parsed as `body`): `raw` itself unless the
   * bridge must change the request. `body` may be changed in the process.
   */
  rewrite?(raw: Buffer, body: Record<string, unknown>, facts: RequestFacts): Buffer;
  readResponse(body: unknown): Observation;
  observeStream(): StreamObserver;
}

export function emptyObservation(): Observation {
  return { responseId: '', toolCalls: [], thoughts: [] };
}

/** Narrowing helpers for untrusted JSON. */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Joins the text parts of a content value: a string, or an array of `{type, text}` parts. */
export function textOf(content: unknown, partTypes: string[]): string {
  if (typeof content === 'string') return content;
  const out: string[] = [];
  for (const p of arr(content)) {
    if (isObject(p) && partTypes.includes(str(p.type)) && typeof p.text === 'string') out.push(p.text);
  }
  return out.join('\n');
}

/** Reads `model` and `stream` from a request body. */
export function readModelAndStream(body: unknown): RequestFacts {
  const b = isObject(body) ? body : {};
  return { model: str(b.model), stream: b.stream === true };
}
