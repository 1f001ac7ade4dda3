import type { IncomingHttpHeaders } from 'node:http';
import type { Provider } from './errors.js';

/** What a request asks for. */
export type RouteName =
  | 'chat.completions'
  | 'responses'
  | 'openai.models'
  | 'openai.model'
  | 'messages'
  | 'messages.count_tokens'
  | 'anthropic.models'
  | 'anthropic.model'
  | 'event_logging'
  | 'claude_code.settings'
  | 'claude_code.policy_limits'
  | 'not_found';

export interface Route {
  provider: Provider;
  name: RouteName;
  /** The `{id}` of `/v1/models/{id}`. */
  id?: string;
}

/**
 * Which provider's wire format a path speaks. `/v1/models` is shared: a request carrying
 * `anthropic-version` (every Anthropic SDK and Claude Code request does), or an `x-api-key`
 * without `Authorization`, is Anthropic's; anything else is OpenAI's.
 */
export function providerFor(path: string, headers: IncomingHttpHeaders): Provider {
  if (path.startsWith('/v1/messages') || path.startsWith('/api/')) return 'anthropic';
  if (path.startsWith('/v1/chat/') || path.startsWith('/v1/responses') || path.startsWith('/v1/conversations')) return 'openai';
  if (headers['anthropic-version'] !== undefined) return 'anthropic';
  if (headers['x-api-key'] !== undefined && headers.authorization === undefined) return 'anthropic';
  return 'openai';
}

/** Routes a request by method and path (without its query). */
export function routeRequest(method: string, path: string, headers: IncomingHttpHeaders): Route {
  const provider = providerFor(path, headers);
  const r = (name: RouteName, id?: string): Route => ({ provider, name, id });
  if (method === 'POST') {
    if (path === '/v1/chat/completions') return r('chat.completions');
    if (path === '/v1/responses') return r('responses');
    if (path === '/v1/messages') return r('messages');
    if (path === '/v1/messages/count_tokens') return r('messages.count_tokens');
    if (path.startsWith('/api/event_logging/')) return r('event_logging');
  } else if (method === 'GET') {
    if (path === '/v1/models' || path === '/v1/models/') return r(provider === 'anthropic' ? 'anthropic.models' : 'openai.models');
    if (path.startsWith('/v1/models/')) {
      const id = safeDecode(path.slice('/v1/models/'.length));
      if (id && !id.includes('/')) return r(provider === 'anthropic' ? 'anthropic.model' : 'openai.model', id);
    }
    if (path === '/api/claude_code/settings') return r('claude_code.settings');
    if (path === '/api/claude_code/policy_limits') return r('claude_code.policy_limits');
  }
  return r('not_found');
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
