import type { IncomingHttpHeaders } from 'node:http';

/**
 * Per-request behaviour of the mock upstream, read from `X-Mock-*` request headers. The bridge
 * forwards them like any client header, so a test talking to the bridge steers the mock behind it.
 */
export interface Knobs {
  /** Answer with this status and the provider's error body instead of a completion. */
  status?: number;
  /** Milliseconds to wait before the first byte of the response. */
  delayMs: number;
  /** Milliseconds to wait before each content chunk of a stream. */
  chunkDelayMs: number;
  /** How many content chunks the reply is cut into. */
  chunks: number;
  /** Destroy the socket after this many content chunks (a blocking reply: before any byte). */
  abortAfter?: number;
  /** Answer with a tool call instead of text. */
  toolCall: boolean;
  /** `Retry-After` seconds sent with a 429. */
  retryAfter: string;
  /** Usage overrides; undefined means "computed from the request". */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const DEFAULT_CHUNKS = 5;
/** A ceiling so a typo cannot make the mock allocate forever. */
export const MAX_CHUNKS = 100_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function int(headers: IncomingHttpHeaders, name: string, min: number, max: number): number | undefined {
  const raw = header(headers, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) return undefined;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}

/** Reads the knobs from request headers; a malformed value is ignored (the default applies). */
export function parseKnobs(headers: IncomingHttpHeaders): Knobs {
  const status = int(headers, 'x-mock-status', 100, 599);
  return {
    status: status !== undefined && status >= 200 && status < 300 ? undefined : status,
    delayMs: int(headers, 'x-mock-delay-ms', 0, 600_000) ?? 0,
    chunkDelayMs: int(headers, 'x-mock-chunk-delay-ms', 0, 600_000) ?? 0,
    chunks: int(headers, 'x-mock-chunks', 0, MAX_CHUNKS) ?? DEFAULT_CHUNKS,
    abortAfter: int(headers, 'x-mock-abort-after', 0, Number.MAX_SAFE_INTEGER),
    toolCall: /^(1|true|yes)$/i.test(header(headers, 'x-mock-tool-call') ?? ''),
    retryAfter: header(headers, 'x-mock-retry-after') ?? '1',
    inputTokens: int(headers, 'x-mock-input-tokens', 0, Number.MAX_SAFE_INTEGER),
    outputTokens: int(headers, 'x-mock-output-tokens', 0, Number.MAX_SAFE_INTEGER),
    cacheReadTokens: int(headers, 'x-mock-cache-read-tokens', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    cacheWriteTokens: int(headers, 'x-mock-cache-write-tokens', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}
