import { messages } from '../intercept/messages.js';
import type { ErrorKind, ProviderSpec } from './provider.js';

/** Anthropic's `error.type` for each kind of failure (docs.anthropic.com, "Errors"). */
const ERRORS: Record<ErrorKind, string> = {
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  invalid_request: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error',
  unavailable: 'overloaded_error',
  bad_gateway: 'api_error',
  timeout: 'timeout_error',
  internal: 'api_error',
};

/**
 * Anthropic: messages are bridged (with any query string: Claude Code sends `?beta=true`).
 * Claude Code also asks `/api/claude_code/…` for settings and policy limits and posts to
 * `/api/event_logging/…` before its first message; those pass through, as do models and
 * token counting.
 */
export const anthropic: ProviderSpec = {
  name: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com/',
  basePathPrefix: '',
  bridgedRoutes: [{ method: 'POST', path: '/v1/messages', endpoint: 'messages' }],
  passthroughRoutes: ['/v1/models', '/v1/models/', '/v1/messages/count_tokens', '/api/event_logging/', '/api/claude_code/'],
  websocketRoutes: [],
  keyHeader: 'x-api-key',
  formatKey: (key) => key,
  // 529 is Anthropic's "overloaded" status (docs.anthropic.com, "Errors"); Coder's
  // provider/anthropic.go counts it as a breaker failure.
  extraFailureStatuses: [529],
  errorBody(kind, message) {
    return { type: 'error', error: { type: ERRORS[kind], message } };
  },
  circuitOpenBody: { type: 'error', error: { type: 'overloaded_error', message: 'circuit breaker is open' } },
  adapters: { messages },
};
