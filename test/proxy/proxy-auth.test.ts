import { describe, expect, it } from 'vitest';
import { tokenFromProxyAuthorization } from '../../src/proxy/proxy-auth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('tokenFromProxyAuthorization', () => {
  it.each([
    [`Basic ${b64('coder:tok-1')}`, 'tok-1'],
    [`basic ${b64('coder:tok-1')}`, 'tok-1'],
    [`BASIC   ${b64('anyone:tok-1')}  `, 'tok-1'],
    [`Basic ${b64(':tok-1')}`, 'tok-1'],
    [`Basic ${b64('coder:tok:with:colons')}`, 'tok:with:colons'],
    [`Basic ${b64('coder:')}`, undefined],
    [`Basic ${b64('coder:tok with space')}`, undefined],
    [`Basic ${b64('coder:tok\u0001ctl')}`, undefined],
    [`Basic ${b64('coder:tök')}`, undefined],
    [`Basic ${b64('tok-without-colon')}`, undefined],
    [`Bearer tok-1`, undefined],
    ['Basic', undefined],
    ['Basic not base64 at all!', undefined],
    ['', undefined],
    [undefined, undefined],
    [['Basic a', 'Basic b'], undefined],
  ])('%j → %j', (header, token) => {
    expect(tokenFromProxyAuthorization(header as string | string[] | undefined)).toBe(token);
  });
});
