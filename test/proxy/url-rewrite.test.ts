import { describe, expect, it } from 'vitest';
import { bridgePath } from '../../src/proxy/url-rewrite.js';

describe('bridgePath', () => {
  it.each([
    ['', 'openai', '/v1/chat/completions', '/api/v2/aibridge/openai/v1/chat/completions'],
    ['', 'anthropic', '/v1/messages', '/api/v2/aibridge/anthropic/v1/messages'],
    ['', 'openai', '/v1/models?limit=2&after=x', '/api/v2/aibridge/openai/v1/models?limit=2&after=x'],
    ['/coder', 'openai', '/v1/models', '/coder/api/v2/aibridge/openai/v1/models'],
    ['/coder/', 'openai', '/v1/models', '/coder/api/v2/aibridge/openai/v1/models'],
    ['', 'openai', '/', '/api/v2/aibridge/openai/'],
    ['', 'openai', '/v1/models/gpt-4.1', '/api/v2/aibridge/openai/v1/models/gpt-4.1'],
    ['', 'openai', 'https://api.openai.com/v1/models?x=1', '/api/v2/aibridge/openai/v1/models?x=1'],
    ['', 'openai', 'http://api.openai.com/v1/models', '/api/v2/aibridge/openai/v1/models'],
  ])('base %j, %s, %s → %s', (base, provider, target, expected) => {
    expect(bridgePath(base, provider, target)).toBe(expected);
  });

  it.each([
    ['/v1/../../users/me', '/api/v2/aibridge/openai/users/me'],
    ['/../../../api/v2/users', '/api/v2/aibridge/openai/api/v2/users'],
    ['/v1/%2e%2e/%2E%2E/x', '/api/v2/aibridge/openai/x'],
    ['/v1/./models', '/api/v2/aibridge/openai/v1/models'],
    ['//evil.example/v1', '/api/v2/aibridge/openai/evil.example/v1'],
    ['/v1\\..\\..\\x', '/api/v2/aibridge/openai/x'],
    ['/v1/../x?q=../..', '/api/v2/aibridge/openai/x?q=../..'],
  ])('keeps %s inside the provider prefix', (target, expected) => {
    expect(bridgePath('', 'openai', target)).toBe(expected);
  });

  it.each([['*'], ['v1/models'], [''], ['ftp://x/y']])('rejects the request target %j', (target) => {
    expect(bridgePath('', 'openai', target)).toBeUndefined();
  });
});
