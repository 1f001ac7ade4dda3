import { chatCompletions } from '../intercept/chat-completions.js';
import { responses } from '../intercept/responses.js';
import type { ErrorKind, ProviderSpec } from './provider.js';

/** OpenAI's `error.type` and `error.code` for each kind of failure. */
const ERRORS: Record<ErrorKind, [type: string, code: string | null]> = {
  authentication: ['invalid_request_error', 'invalid_api_key'],
  permission: ['invalid_request_error', 'permission_denied'],
  not_found: ['invalid_request_error', 'unknown_url'],
  invalid_request: ['invalid_request_error', null],
  rate_limit: ['requests', 'rate_limit_exceeded'],
  overloaded: ['server_error', 'service_unavailable'],
  unavailable: ['server_error', 'service_unavailable'],
  bad_gateway: ['server_error', 'bad_gateway'],
  timeout: ['server_error', 'timeout'],
  internal: ['server_error', null],
};

/**
 * OpenAI: chat completions and responses are bridged; models, conversations and the
 * sub-resources of a response pass through. Codex opens `/v1/responses` as a WebSocket first.
 */
export const openai: ProviderSpec = {
  name: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1/',
  basePathPrefix: '/v1',
  bridgedRoutes: [
    { method: 'POST', path: '/v1/chat/completions', endpoint: 'chat-completions' },
    { method: 'POST', path: '/v1/responses', endpoint: 'responses' },
  ],
  passthroughRoutes: ['/v1/models', '/v1/models/', '/v1/conversations', '/v1/conversations/', '/v1/responses/'],
  websocketRoutes: [{ path: '/v1/responses', endpoint: 'responses' }],
  keyHeader: 'authorization',
  formatKey: (key) => `Bearer ${key}`,
  extraFailureStatuses: [],
  errorBody(kind, message) {
    const [type, code] = ERRORS[kind];
    return { error: { message, type, code } };
  },
  circuitOpenBody: { error: { message: 'circuit breaker is open', type: 'server_error', code: 'service_unavailable' } },
  adapters: { 'chat-completions': chatCompletions, responses },
};
