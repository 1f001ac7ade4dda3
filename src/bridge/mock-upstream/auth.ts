import type { IncomingHttpHeaders } from 'node:http';
import { anthropicError, openAiError, type Provider, type ProviderError } from './errors.js';

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth === undefined) return undefined;
  return /^bearer /i.test(auth) ? auth.slice(7).trim() : auth;
}

/**
 * With `--key`, the key each provider expects: OpenAI `Authorization: Bearer KEY`; Anthropic
 * `x-api-key: KEY` or `Authorization: Bearer KEY` (the Anthropic SDK 1.x sends its API key as
 * a bearer token, older ones and Claude Code as `x-api-key`) — and every credential header
 * present must be KEY, so a stray client token that reached the upstream fails the request.
 * Returns the provider's 401 otherwise, so tests can prove which key reached the upstream. The
 * error never echoes the key that was sent.
 */
export function checkKey(provider: Provider, headers: IncomingHttpHeaders, key: string | undefined, requestId: string): ProviderError | undefined {
  if (key === undefined) return undefined;
  const token = bearer(headers);
  if (provider === 'anthropic') {
    const apiKey = headers['x-api-key'];
    if (apiKey === undefined && token === undefined) return anthropicError(401, requestId, 'x-api-key header is required');
    if ((apiKey === undefined || apiKey === key) && (token === undefined || token === key)) return undefined;
    return anthropicError(401, requestId, 'invalid x-api-key');
  }
  if (token === key) return undefined;
  if (token === undefined) {
    return openAiError(401, {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
      code: null,
    });
  }
  return openAiError(401);
}
