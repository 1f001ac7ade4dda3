import { describe, expect, it } from 'vitest';
import { Router, unmatchedRouteLabel } from '../../src/server/router.js';

describe('route labels', () => {
  it.each([
    ['/api/foo', 'UNKNOWN'],
    ['/api/v2/nothing/here', 'UNKNOWN'],
    ['/foo', 'STATIC'],
    ['/', 'STATIC'],
    ['/apifoo', 'STATIC'],
  ])('labels unmatched %s as %s', (path, label) => {
    expect(unmatchedRouteLabel(path)).toBe(label);
  });

  it('returns the registered pattern and params of a match', () => {
    const r = new Router().get('/api/v2/users/{user}', () => {}).get('/api/v2/aibridge/{provider}/*', () => {});
    expect(r.find('GET', '/api/v2/users/me')).toMatchObject({ pattern: '/api/v2/users/{user}', params: { user: 'me' } });
    expect(r.find('GET', '/api/v2/aibridge/openai/v1/models')).toMatchObject({
      pattern: '/api/v2/aibridge/{provider}/*',
      params: { provider: 'openai', '*': 'v1/models' },
    });
    expect(r.find('POST', '/api/v2/users/me')).toBeUndefined();
  });
});
