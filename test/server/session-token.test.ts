import { describe, expect, it } from 'vitest';
import { extractSessionToken, readCookie } from '../../src/server/session-token.js';

describe('extractSessionToken', () => {
  it.each([
    ['the Coder-Session-Token header', { 'coder-session-token': 'aaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb' }, 'aaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbb'],
    ['the coder_session_token cookie', { cookie: 'theme=dark; coder_session_token=abc-123; other=1' }, 'abc-123'],
    ['an Authorization bearer', { authorization: 'Bearer tok-1' }, 'tok-1'],
    ['the header before the cookie and bearer', { 'coder-session-token': 'h', cookie: 'coder_session_token=c', authorization: 'Bearer b' }, 'h'],
    ['the cookie before the bearer', { cookie: 'coder_session_token=c', authorization: 'Bearer b' }, 'c'],
  ])('reads %s', (_name, headers, want) => {
    expect(extractSessionToken(headers)).toBe(want);
  });

  it('finds nothing in basic auth, other cookies or no headers', () => {
    expect(extractSessionToken({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(extractSessionToken({ cookie: 'session=1' })).toBeUndefined();
    expect(extractSessionToken({})).toBeUndefined();
  });

  it('decodes a percent-encoded cookie value', () => {
    expect(readCookie('coder_session_token=a%2Db', 'coder_session_token')).toBe('a-b');
  });
});
