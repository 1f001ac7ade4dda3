import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../../src/bridge/headers.js';

const T = 'abcdefghij-0123456789012345678901';

function names(raw: string[]): string[] {
  return raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
}

const client = [
  'Host', 'bridge:3000',
  'Connection', 'keep-alive, X-Drop-Me',
  'X-Drop-Me', '1',
  'Keep-Alive', 'timeout=5',
  'Content-Length', '42',
  'Transfer-Encoding', 'chunked',
  'Accept-Encoding', 'gzip, br',
  'Proxy-Authorization', 'Basic Y29kZXI6dG9rZW4=',
  'TE', 'trailers',
  'Upgrade', 'h2c',
  'Expect', '100-continue',
  'X-Coder-Token', T,
  'X-Coder-AI-Governance-Token', T,
  'X-Coder-AI-Governance-Request-Id', 'req-1',
  'Coder-Session-Token', T,
  'Cookie', `coder_session_token=${T}; other=1`,
  'Content-Type', 'application/json',
  'anthropic-beta', 'context-management-2025-06-27',
  'anthropic-beta', 'interleaved-thinking-2025-05-14',
  'anthropic-version', '2023-06-01',
  'x-app', 'cli',
  'X-Stainless-Lang', 'js',
  'x-stainless-retry-count', '0',
  'X-Claude-Code-Session-Id', 'sess-1',
  'originator', 'codex_cli_rs',
  'session-id', 's-2',
  'session_id', 's-3',
  'User-Agent', 'claude-cli/2.0.0 (external, cli)',
];

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop, rewritten and bridge headers and keeps every other client header as sent', () => {
    const out = upstreamRequestHeaders(client, { stripClientCredentials: true, token: T, inject: ['x-api-key', 'sk-central'] });
    expect(names(out)).toEqual([
      'content-type',
      'anthropic-beta',
      'anthropic-beta',
      'anthropic-version',
      'x-app',
      'x-stainless-lang',
      'x-stainless-retry-count',
      'x-claude-code-session-id',
      'originator',
      'session-id',
      'session_id',
      'user-agent',
      'x-api-key',
    ]);
    expect(pairs(out).filter(([n]) => n === 'anthropic-beta').map(([, v]) => v)).toEqual(['context-management-2025-06-27', 'interleaved-thinking-2025-05-14']);
    expect(out).toContain('X-Stainless-Lang');
  });

  it('replaces the client credentials with the provider key in centralized mode', () => {
    const raw = ['Authorization', `Bearer ${T}`, 'X-Api-Key', 'whatever', 'Accept', '*/*'];
    expect(pairs(upstreamRequestHeaders(raw, { stripClientCredentials: true, token: T, inject: ['authorization', 'Bearer sk-central'] }))).toEqual([
      ['accept', '*/*'],
      ['authorization', 'Bearer sk-central'],
    ]);
  });

  it('sets no key when the provider has none', () => {
    expect(pairs(upstreamRequestHeaders(['Authorization', `Bearer ${T}`], { stripClientCredentials: true, token: T }))).toEqual([]);
  });

  it('forwards the client own key in BYOK mode but never a header carrying the Coder token', () => {
    const raw = ['X-Coder-Token', T, 'Authorization', `Bearer ${T}`, 'X-Api-Key', 'sk-ant-own'];
    expect(pairs(upstreamRequestHeaders(raw, { stripClientCredentials: false, token: T }))).toEqual([['x-api-key', 'sk-ant-own']]);
    const raw2 = ['X-Coder-Token', T, 'Authorization', 'Bearer sk-own', 'X-Api-Key', T];
    expect(pairs(upstreamRequestHeaders(raw2, { stripClientCredentials: false, token: T }))).toEqual([['authorization', 'Bearer sk-own']]);
  });

  it('drops the WebSocket handshake headers for a WebSocket upstream', () => {
    const raw = ['Sec-WebSocket-Key', 'k', 'Sec-WebSocket-Version', '13', 'Sec-WebSocket-Extensions', 'permessage-deflate', 'openai-beta', 'responses_websockets=2026-02-06'];
    expect(names(upstreamRequestHeaders(raw, { stripClientCredentials: true, token: T }, true))).toEqual(['openai-beta']);
    expect(names(upstreamRequestHeaders(raw, { stripClientCredentials: true, token: T }))).toHaveLength(4);
  });
});

describe('downstreamResponseHeaders', () => {
  it('drops hop-by-hop headers, keeps the rest with duplicates, and adds the extra ones', () => {
    const raw = ['Content-Type', 'text/event-stream', 'Connection', 'keep-alive', 'Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'set-cookie', 'a=1', 'set-cookie', 'b=2', 'request-id', 'req_1'].map((s) => Buffer.from(s));
    expect(downstreamResponseHeaders(raw, ['x-coder-interception-id', 'id-1'])).toEqual([
      'Content-Type', 'text/event-stream',
      'set-cookie', 'a=1',
      'set-cookie', 'b=2',
      'request-id', 'req_1',
      'x-coder-interception-id', 'id-1',
    ]);
  });
});
