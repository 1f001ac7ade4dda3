import type { EndpointAdapter } from '../intercept/types.js';

/** The API shapes the bridge understands (and records). One adapter each in `intercept/`. */
export type Endpoint = 'chat-completions' | 'responses' | 'messages';

/** A route the bridge intercepts: parsed, recorded, circuit-broken. */
export interface BridgedRoute {
  method: 'POST';
  /** Path under the provider, e.g. `/v1/messages` (any query string matches). */
  path: string;
  endpoint: Endpoint;
}

/** A route upgraded to a WebSocket (OpenAI's Responses over WebSocket, used by Codex). */
export interface WebSocketRoute {
  path: string;
  endpoint: Endpoint;
}

/** What went wrong, in the words of the bridge; each provider spells it its own way. */
export type ErrorKind =
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'invalid_request'
  | 'rate_limit'
  | 'overloaded'
  | 'unavailable'
  | 'bad_gateway'
  | 'timeout'
  | 'internal';

/**
 * A provider is data plus a small adapter: its routes, how its key is sent, which statuses
 * count as failures for the circuit breaker, and how its errors look. Adding a provider is one
 * file in `providers/`.
 *
 * Base URL rewrite. Clients address the bridge as `/api/v2/aibridge/{name}{path}`; the
 * upstream URL is the base URL followed by `path` without `basePathPrefix`. The prefix exists
 * because OpenAI's base URL conventionally carries `/v1` (clients set
 * `OPENAI_BASE_URL=…/api/v2/aibridge/openai/v1`), Anthropic's does not:
 *
 *   openai    base https://api.openai.com/v1/   prefix /v1   /v1/chat/completions → https://api.openai.com/v1/chat/completions
 *   openai    base http://127.0.0.1:9999/v1/    prefix /v1   /v1/models?x=1       → http://127.0.0.1:9999/v1/models?x=1
 *   anthropic base https://api.anthropic.com/   prefix ''    /v1/messages?beta=true → https://api.anthropic.com/v1/messages?beta=true
 */
export interface ProviderSpec {
  /** Matches `^[a-z0-9]+(-[a-z0-9]+)*$`; the `{provider}` segment of the bridge's URLs. */
  name: string;
  defaultBaseUrl: string;
  basePathPrefix: string;
  bridgedRoutes: BridgedRoute[];
  /** Forwarded untouched (not recorded): exact paths, or prefixes when they end with `/`. */
  passthroughRoutes: string[];
  websocketRoutes: WebSocketRoute[];
  /** The header that carries the provider key, lower case, and its value for a key. */
  keyHeader: 'authorization' | 'x-api-key';
  formatKey(key: string): string;
  /** Statuses, beyond the common 429/503/504, that count as breaker failures. */
  extraFailureStatuses: number[];
  /** An error body the provider's SDKs understand. */
  errorBody(kind: ErrorKind, message: string): unknown;
  /** The body of a 503 while the circuit is open (Coder's exact bytes). */
  circuitOpenBody: unknown;
  adapters: Partial<Record<Endpoint, EndpointAdapter>>;
}

/** A provider with the base URL and key in force. */
export interface Provider extends ProviderSpec {
  baseUrl: string;
  key: string;
}

export const PROVIDER_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
