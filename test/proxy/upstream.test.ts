import { describe, expect, it } from 'vitest';
import { parseUpstreamProxy } from '../../src/proxy/upstream.js';

describe('parseUpstreamProxy', () => {
  it.each([
    ['http://proxy.corp:3128', { protocol: 'http:', host: 'proxy.corp', port: 3128, authorization: undefined }],
    ['https://proxy.corp', { protocol: 'https:', host: 'proxy.corp', port: 443, authorization: undefined }],
    ['http://proxy.corp', { protocol: 'http:', host: 'proxy.corp', port: 80, authorization: undefined }],
    ['http://[fd00::1]:3128', { protocol: 'http:', host: 'fd00::1', port: 3128, authorization: undefined }],
    ['http://user:pa%40ss@proxy.corp:3128/', { protocol: 'http:', host: 'proxy.corp', port: 3128, authorization: 'Basic ' + Buffer.from('user:pa@ss').toString('base64') }],
    ['http://user@proxy.corp:3128', { protocol: 'http:', host: 'proxy.corp', port: 3128, authorization: 'Basic ' + Buffer.from('user:').toString('base64') }],
    ['http://:pass@proxy.corp:3128', { protocol: 'http:', host: 'proxy.corp', port: 3128, authorization: 'Basic ' + Buffer.from(':pass').toString('base64') }],
  ])('parses %s', (raw, upstream) => {
    expect(parseUpstreamProxy(raw)).toEqual({ upstream });
  });

  it.each([
    ['http://:@proxy.corp:3128', /empty user and password/],
    ['http://@proxy.corp:3128', /empty user and password/],
    ['socks5://proxy.corp:1080', /scheme socks5 is not supported/],
    ['ftp://proxy.corp', /scheme ftp is not supported/],
    ['proxy.corp:3128', /scheme proxy.corp is not supported|not a URL/],
    ['not a url', /not a URL/],
    ['http://proxy.corp:3128/path', /must not have a path/],
    ['http://proxy.corp:3128/?x=1', /must not have a path, query/],
  ])('reports %s', (raw, problem) => {
    const r = parseUpstreamProxy(raw);
    expect(r.upstream).toBeUndefined();
    expect(r.problem).toMatch(problem);
  });

  it.each([['http://us%zzer:secret@proxy.corp:3128'], ['http://user:s3cr%E0t@proxy.corp:3128'], ['http://user:100%@proxy.corp:3128']])(
    'reports bad percent-encoding in %s as a problem that does not echo the credentials',
    (raw) => {
      const r = parseUpstreamProxy(raw);
      expect(r.upstream).toBeUndefined();
      expect(r.problem).toMatch(/proxy.upstream: the user or password has bad percent-encoding/);
      expect(r.problem).not.toMatch(/secret|s3cr|100%|zz/);
    },
  );
});
