/**
 * Error bodies in each provider's exact shape, so the SDKs raise their typed errors.
 * OpenAI: `{"error":{"message","type","param","code"}}` (platform.openai.com/docs/guides/error-codes).
 * Anthropic: `{"type":"error","error":{"type","message"},"request_id"}` (docs.anthropic.com/en/api/errors).
 */
export type Provider = 'openai' | 'anthropic';

export interface ProviderError {
  status: number;
  body: unknown;
}

interface OpenAiShape {
  message: string;
  type: string;
  code: string | null;
  param?: string | null;
}

const openAiByStatus: Record<number, OpenAiShape> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: {
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  403: { message: 'You are not allowed to sample from this model.', type: 'invalid_request_error', code: null },
  404: { message: 'Not found.', type: 'invalid_request_error', code: null },
  409: { message: 'Conflict.', type: 'invalid_request_error', code: null },
  413: { message: 'Request too large.', type: 'invalid_request_error', code: null },
  422: { message: 'Unprocessable entity.', type: 'invalid_request_error', code: null },
  429: { message: 'Rate limit reached for requests. Please try again in 1s.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  502: { message: 'Bad gateway.', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
  504: { message: 'Gateway timeout.', type: 'server_error', code: null },
};

/** An OpenAI error for a status; `message`/`code`/`param` override the defaults. */
export function openAiError(status: number, over: Partial<OpenAiShape> = {}): ProviderError {
  const base = openAiByStatus[status] ?? {
    message: status >= 500 ? 'The server had an error while processing your request.' : 'Invalid request.',
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  return {
    status,
    body: {
      error: {
        message: over.message ?? base.message,
        type: over.type ?? base.type,
        param: over.param ?? null,
        code: over.code !== undefined ? over.code : base.code,
      },
    },
  };
}

const anthropicByStatus: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not Found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  503: { type: 'api_error', message: 'Service unavailable' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  // 529 is Anthropic's own "overloaded" status (docs.anthropic.com/en/api/errors).
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** An Anthropic error for a status; `message` overrides the default. */
export function anthropicError(status: number, requestId: string, message?: string): ProviderError {
  const base = anthropicByStatus[status] ?? {
    type: status >= 500 ? 'api_error' : 'invalid_request_error',
    message: status >= 500 ? 'Internal server error' : 'Invalid request.',
  };
  return { status, body: { type: 'error', error: { type: base.type, message: message ?? base.message }, request_id: requestId } };
}
