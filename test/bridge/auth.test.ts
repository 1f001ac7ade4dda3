import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerOf, clientCredential, decideCredentials, extractToken, maskKey } from '../../src/bridge/auth.js';

const T = 'abcdefghij-0123456789012345678901';

describe('extractToken', () => {
  it.each<[string, IncomingHttpHeaders, ReturnType<typeof extractToken>]>([
    ['X-Coder-Token first', { 'x-coder-token': T, 'x-coder-ai-governance-token': 'g', authorization: 'Bearer b', 'x-api-key': 'k' }, { token: T, source: 'x-coder-token' }],
    ['then X-Coder-AI-Governance-Token', { 'x-coder-ai-governance-token': T, authorization: 'Bearer b', 'x-api-key': 'k' }, { token: T, source: 'x-coder-ai-governance-token' }],
    ['then Authorization: Bearer', { authorization: `Bearer ${T}`, 'x-api-key': 'k' }, { token: T, source: 'authorization' }],
    ['bearer scheme in any case', { authorization: `bearer ${T}` }, { token: T, source: 'authorization' }],
    ['then X-Api-Key', { 'x-api-key': T }, { token: T, source: 'x-api-key' }],
    ['X-Api-Key when Authorization is not a bearer', { authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': T }, { token: T, source: 'x-api-key' }],
    ['an empty X-Coder-Token is no token', { 'x-coder-token': '', authorization: `Bearer ${T}` }, { token: T, source: 'authorization' }],
    ['nothing', { 'user-agent': 'curl/8' }, undefined],
  ])('%s', (_name, headers, want) => {
    expect(extractToken(headers)).toEqual(want);
  });
});

describe('decideCredentials', () => {
  it.each<[string, IncomingHttpHeaders, boolean, ReturnType<typeof decideCredentials>]>([
    ['token in Authorization: centralized', { authorization: `Bearer ${T}` }, false, { kind: 'centralized' }],
    ['token in X-Api-Key: centralized', { 'x-api-key': T }, true, { kind: 'centralized' }],
    ['X-Coder-Token alone: centralized', { 'x-coder-token': T }, false, { kind: 'centralized' }],
    ['X-Coder-Token and Authorization repeating it: centralized', { 'x-coder-token': T, authorization: `Bearer ${T}` }, false, { kind: 'centralized' }],
    ['X-Coder-Token and X-Api-Key repeating it: centralized', { 'x-coder-token': T, 'x-api-key': T }, false, { kind: 'centralized' }],
    ['X-Coder-Token and own Authorization, BYOK allowed', { 'x-coder-token': T, authorization: 'Bearer sk-own' }, true, { kind: 'byok' }],
    ['X-Coder-Token and own X-Api-Key, BYOK allowed', { 'x-coder-token': T, 'x-api-key': 'sk-ant-own' }, true, { kind: 'byok' }],
    ['X-Coder-Token and own key, BYOK not allowed', { 'x-coder-token': T, 'x-api-key': 'sk-ant-own' }, false, { refused: 'byok-not-allowed' }],
    ['governance token and own Authorization, BYOK not allowed', { 'x-coder-ai-governance-token': T, authorization: 'Bearer sk-own' }, false, { refused: 'byok-not-allowed' }],
  ])('%s', (_name, headers, allow, want) => {
    expect(decideCredentials(extractToken(headers)!, headers, allow)).toEqual(want);
  });
});

describe('key hints', () => {
  it('masks a key down to its ends and a short key to its length', () => {
    expect(maskKey('sk-proj-abcdefghijklmnopqrstuvwxyz')).toBe('sk-p…wxyz');
    expect(maskKey('short')).toBe('…(5)');
    expect(maskKey('')).toBe('');
  });

  it('finds the client credential that is not the Coder token', () => {
    expect(clientCredential({ authorization: `Bearer ${T}`, 'x-api-key': 'sk-ant-own' }, T)).toBe('sk-ant-own');
    expect(clientCredential({ authorization: 'Bearer sk-own' }, T)).toBe('sk-own');
    expect(bearerOf('Bearer  x ')).toBe('x');
    expect(bearerOf('Basic x')).toBe('');
  });
});
