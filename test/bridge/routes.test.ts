import { describe, expect, it } from 'vitest';
import { pathUnderProvider } from '../../src/bridge/handler.js';
import { anthropic } from '../../src/bridge/providers/anthropic.js';
import { openai } from '../../src/bridge/providers/openai.js';
import { basePathOf, chooseRoute, chooseWebSocketRoute, upstreamPath } from '../../src/bridge/routes.js';

describe('chooseRoute', () => {
  it.each([
    ['POST', '/v1/chat/completions', { kind: 'bridged', endpoint: 'chat-completions' }],
    ['POST', '/v1/responses', { kind: 'bridged', endpoint: 'responses' }],
    ['GET', '/v1/models', { kind: 'passthrough', route: '/v1/models' }],
    ['GET', '/v1/models/gpt-4o', { kind: 'passthrough', route: '/v1/models/' }],
    ['POST', '/v1/conversations', { kind: 'passthrough', route: '/v1/conversations' }],
    ['GET', '/v1/conversations/conv_1/items', { kind: 'passthrough', route: '/v1/conversations/' }],
    ['GET', '/v1/responses/resp_123', { kind: 'passthrough', route: '/v1/responses/' }],
    ['POST', '/v1/responses/resp_123/cancel', { kind: 'passthrough', route: '/v1/responses/' }],
    ['GET', '/v1/chat/completions', { kind: 'unsupported' }],
    ['POST', '/v1/completions', { kind: 'unsupported' }],
    ['POST', '/v1/embeddings', { kind: 'unsupported' }],
    ['POST', '/chat/completions', { kind: 'unsupported' }],
    ['GET', '/v1/models/../chat/completions', { kind: 'unsupported' }],
    ['GET', '/v1/models/%2e%2e/chat/completions', { kind: 'unsupported' }],
    ['GET', '/v1/models/./x', { kind: 'unsupported' }],
  ])('openai %s %s', (method, path, want) => {
    expect(chooseRoute(openai, method, path)).toEqual(want);
  });

  it.each([
    ['POST', '/v1/messages', { kind: 'bridged', endpoint: 'messages' }],
    ['POST', '/v1/messages/count_tokens', { kind: 'passthrough', route: '/v1/messages/count_tokens' }],
    ['GET', '/v1/models', { kind: 'passthrough', route: '/v1/models' }],
    ['GET', '/v1/models/claude-sonnet-4', { kind: 'passthrough', route: '/v1/models/' }],
    ['POST', '/api/event_logging/batch', { kind: 'passthrough', route: '/api/event_logging/' }],
    ['GET', '/api/claude_code/settings', { kind: 'passthrough', route: '/api/claude_code/' }],
    ['GET', '/api/claude_code/policy_limits', { kind: 'passthrough', route: '/api/claude_code/' }],
    ['GET', '/v1/messages', { kind: 'unsupported' }],
    ['POST', '/v1/complete', { kind: 'unsupported' }],
    ['POST', '/v1/messages/batches', { kind: 'unsupported' }],
  ])('anthropic %s %s', (method, path, want) => {
    expect(chooseRoute(anthropic, method, path)).toEqual(want);
  });

  it('offers Responses over WebSocket on OpenAI only', () => {
    expect(chooseWebSocketRoute(openai, '/v1/responses')).toEqual({ path: '/v1/responses', endpoint: 'responses' });
    expect(chooseWebSocketRoute(openai, '/v1/chat/completions')).toBeUndefined();
    expect(chooseWebSocketRoute(anthropic, '/v1/messages')).toBeUndefined();
  });
});

describe('upstreamPath', () => {
  it.each([
    ['https://api.openai.com/v1/', '/v1', '/v1/chat/completions', '', '/v1/chat/completions'],
    ['http://127.0.0.1:9999/v1', '/v1', '/v1/models', '?limit=2', '/v1/models?limit=2'],
    ['https://gateway.example.com/openai/v1/', '/v1', '/v1/responses', '', '/openai/v1/responses'],
    ['https://api.anthropic.com/', '', '/v1/messages', '?beta=true', '/v1/messages?beta=true'],
    ['https://gateway.example.com/anthropic', '', '/v1/messages', '', '/anthropic/v1/messages'],
  ])('base %s + %s%s%s → %s', (base, prefix, path, query, want) => {
    expect(upstreamPath(basePathOf(base), prefix, path, query)).toBe(want);
  });
});

describe('pathUnderProvider', () => {
  it('takes the raw path and query after the provider segment', () => {
    expect(pathUnderProvider('/api/v2/aibridge/anthropic/v1/messages?beta=true', 'anthropic')).toEqual({ path: '/v1/messages', query: '?beta=true' });
    expect(pathUnderProvider('/api/v2/aibridge/openai/v1/models/a%2Fb', 'openai')).toEqual({ path: '/v1/models/a%2Fb', query: '' });
  });

  it('refuses a URL whose provider segment differs from the raw path', () => {
    expect(pathUnderProvider('/api/v2/aibridge/%6Fpenai/v1/models', 'openai')).toBeUndefined();
    expect(pathUnderProvider('/api/v2/aibridge/openaix/v1/models', 'openai')).toBeUndefined();
  });
});
