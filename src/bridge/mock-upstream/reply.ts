import type { Knobs } from './knobs.js';

/**
 * What the mock answers, decided from the request alone so tests can assert on it: the reply
 * text is `echo: <last user message>`, cut into `X-Mock-Chunks` pieces; with `X-Mock-Tool-Call`
 * the answer is a call of the request's first tool with `{"query": <last user message>}`.
 */
export interface Reply {
  /** The whole reply text ('' when the answer is a tool call). */
  text: string;
  textChunks: string[];
  /** Thinking (Anthropic) or reasoning summary (Responses), when the request asked for it. */
  thinking?: string;
  thinkingChunks: string[];
  tool?: { name: string; arguments: string; argumentChunks: string[] };
  usage: UsagePlan;
}

/**
 * Token counts. `input` excludes cached tokens (Anthropic's `input_tokens`); OpenAI's
 * `prompt_tokens`/`input_tokens` are `input + cacheRead`, with `cached_tokens = cacheRead`.
 */
export interface UsagePlan {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Part of `output` spent on thinking/reasoning. */
  reasoning: number;
}

export type Api = 'chat' | 'responses' | 'messages';

type Json = Record<string, unknown>;

export const DEFAULT_TOOL_NAME = 'mock_tool';

/** Concatenates the text of a content value: a string, or an array of text-ish parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (!part || typeof part !== 'object') continue;
    const p = part as Json;
    if (typeof p.text === 'string') out += p.text;
    else if (p.type === 'tool_result') out += contentText(p.content);
  }
  return out;
}

/** The text of the last user message of a chat completions, responses or messages body. */
export function lastUserText(api: Api, body: Json): string {
  if (api === 'responses') {
    const input = body.input;
    if (typeof input === 'string') return input;
    if (!Array.isArray(input)) return '';
    for (let i = input.length - 1; i >= 0; i--) {
      const item = input[i] as Json | null;
      if (item && item.role === 'user') return contentText(item.content);
    }
    return '';
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Json | null;
    if (m && m.role === 'user') return contentText(m.content);
  }
  return '';
}

/** The name of the first tool the request offers, or `mock_tool`. */
export function firstToolName(api: Api, body: Json): string {
  const tools = body.tools;
  if (!Array.isArray(tools)) return DEFAULT_TOOL_NAME;
  for (const t of tools) {
    if (!t || typeof t !== 'object') continue;
    const tool = t as Json;
    if (api === 'chat') {
      const fn = tool.function as Json | undefined;
      if (fn && typeof fn.name === 'string') return fn.name;
    } else if (typeof tool.name === 'string' && (api === 'messages' || tool.type === 'function')) {
      return tool.name;
    }
  }
  return DEFAULT_TOOL_NAME;
}

/** Whether the request asks for thinking (Anthropic) or a reasoning summary (Responses). */
export function wantsThinking(api: Api, body: Json): boolean {
  if (api === 'messages') {
    const t = body.thinking as Json | undefined;
    return !!t && (t.type === 'enabled' || t.type === 'adaptive');
  }
  if (api === 'responses') {
    const r = body.reasoning as Json | undefined;
    return !!r && (r.summary === 'auto' || r.summary === 'concise' || r.summary === 'detailed');
  }
  return false;
}

/**
 * Cuts `text` into `n` pieces of nearly equal length whose concatenation is `text`. With
 * `pad`, a text shorter than `n` is padded with dots so there are exactly `n` pieces;
 * without, there are at most `text.length` pieces.
 */
export function splitInto(text: string, n: number, pad: boolean): string[] {
  if (n <= 0) return [];
  // Code points, so a piece never splits a surrogate pair.
  const units = /[\uD800-\uDFFF]/.test(text) ? Array.from(text) : null;
  let len = units ? units.length : text.length;
  if (len < n) {
    if (pad) {
      text += '.'.repeat(n - len);
      if (units) units.push(...'.'.repeat(n - len));
      len = n;
    } else {
      n = Math.max(1, len);
    }
  }
  const out: string[] = new Array(n);
  const base = Math.floor(len / n);
  const extra = len % n;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const size = base + (i < extra ? 1 : 0);
    out[i] = units ? units.slice(at, at + size).join('') : text.slice(at, at + size);
    at += size;
  }
  return out;
}

/** Plans the whole answer to a request. `bodyBytes` sizes the default input token count. */
export function planReply(api: Api, body: Json, bodyBytes: number, knobs: Knobs): Reply {
  const user = lastUserText(api, body);
  const n = knobs.chunks;
  let text = '';
  let textChunks: string[] = [];
  let tool: Reply['tool'];
  if (knobs.toolCall) {
    const args = JSON.stringify({ query: user });
    // A call always has its arguments: at least one piece, even with X-Mock-Chunks: 0.
    tool = { name: firstToolName(api, body), arguments: args, argumentChunks: splitInto(args, Math.max(1, n), false) };
  } else {
    textChunks = splitInto(`echo: ${user}`, n, true);
    text = textChunks.join('');
  }
  let thinking: string | undefined;
  let thinkingChunks: string[] = [];
  if (wantsThinking(api, body)) {
    thinkingChunks = splitInto(`Thinking about: ${user}`, n, true);
    thinking = thinkingChunks.join('');
  }
  const pieces = textChunks.length + thinkingChunks.length + (tool ? tool.argumentChunks.length : 0);
  const output = knobs.outputTokens ?? pieces;
  return {
    text,
    textChunks,
    thinking,
    thinkingChunks,
    tool,
    usage: {
      input: knobs.inputTokens ?? Math.max(1, Math.ceil(bodyBytes / 4)),
      output,
      cacheRead: knobs.cacheReadTokens,
      cacheWrite: knobs.cacheWriteTokens,
      reasoning: Math.min(output, thinkingChunks.length),
    },
  };
}
