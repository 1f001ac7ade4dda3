import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../../../src/bridge/mock-upstream/index.js';

let mock: MockUpstream;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockUpstream();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
});
afterAll(() => mock.close());

const ask = (text: string) => ({ model: 'claude-sonnet-4-5-20250929', max_tokens: 2048, messages: [{ role: 'user' as const, content: text }] });

describe('messages through the anthropic SDK', () => {
  it('answers a blocking request with a text block, end_turn and the four usage counts', async () => {
    const m = await client.messages.create(ask('hello claude'), { headers: { 'X-Mock-Cache-Read-Tokens': '4', 'X-Mock-Cache-Write-Tokens': '2' } });
    expect(m.type).toBe('message');
    expect(m.content).toEqual([{ type: 'text', text: 'echo: hello claude' }]);
    expect(m.stop_reason).toBe('end_turn');
    expect(m.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 5, cache_read_input_tokens: 4, cache_creation_input_tokens: 2 });
  });

  it('streams the exact event sequence with a ping after the first block starts', async () => {
    const stream = await client.messages.create({ ...ask('stream it'), stream: true }, { headers: { 'X-Mock-Chunks': '3' } });
    const types: string[] = [];
    const texts: string[] = [];
    let outputTokens = -1;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') texts.push(ev.delta.text);
      if (ev.type === 'message_delta') outputTokens = ev.usage.output_tokens;
    }
    // The SDK's iterator drops `ping`; the raw wire is checked in server.test.ts.
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(texts.join('')).toBe('echo: stream it');
    expect(outputTokens).toBe(3);
  });

  it('streams thinking before the answer when thinking is enabled, signature included', async () => {
    const stream = client.messages.stream({ ...ask('think first'), thinking: { type: 'enabled', budget_tokens: 1024 } }, { headers: { 'X-Mock-Chunks': '2' } });
    let thinkingDeltas = 0;
    stream.on('thinking', () => thinkingDeltas++);
    const m = await stream.finalMessage();
    expect(m.content[0]).toMatchObject({ type: 'thinking', thinking: 'Thinking about: think first', signature: expect.any(String) });
    expect((m.content[0] as Anthropic.ThinkingBlock).signature.length).toBeGreaterThan(0);
    expect(m.content[1]).toEqual({ type: 'text', text: 'echo: think first' });
    expect(thinkingDeltas).toBe(2);
  });

  it('answers with a tool_use block whose input_json deltas the SDK reassembles', async () => {
    const stream = client.messages.stream(
      { ...ask('use the tool'), tools: [{ name: 'search', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }] },
      { headers: { 'X-Mock-Tool-Call': '1', 'X-Mock-Chunks': '4' } },
    );
    let jsonDeltas = 0;
    stream.on('inputJson', () => jsonDeltas++);
    const m = await stream.finalMessage();
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'search', input: { query: 'use the tool' } }]);
    expect(jsonDeltas).toBe(4);
  });

  it('accepts the ?beta=true query Claude Code sends and records it with the beta header', async () => {
    const m = await client.beta.messages.create({ ...ask('beta'), betas: ['context-management-2025-06-27'] }, { query: { beta: 'true' } });
    expect(m.content[0]).toEqual({ type: 'text', text: 'echo: beta' });
    const seen = mock.requests().at(-1)!;
    expect(seen.path).toBe('/v1/messages?beta=true');
    expect(seen.headers['anthropic-beta']).toBe('context-management-2025-06-27');
  });

  it('counts tokens', async () => {
    const r = await client.messages.countTokens({ model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'user', content: 'count' }] }, { headers: { 'X-Mock-Input-Tokens': '42' } });
    expect(r.input_tokens).toBe(42);
  });

  it('lists models and retrieves one', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('claude-sonnet-4-5-20250929');
    expect((await client.models.retrieve('claude-sonnet-4-5-20250929')).display_name).toBe('Claude Sonnet 4.5');
    await expect(client.models.retrieve('claude-nope')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe('errors through the anthropic SDK', () => {
  it.each([
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [529, Anthropic.InternalServerError, 'overloaded_error'],
    [504, Anthropic.InternalServerError, 'timeout_error'],
    [403, Anthropic.PermissionDeniedError, 'permission_error'],
  ])('X-Mock-Status %i surfaces as the typed error with the provider error type', async (status, type, errorType) => {
    const err = await client.messages.create(ask('x'), { headers: { 'X-Mock-Status': String(status) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    const apiErr = err as InstanceType<typeof Anthropic.APIError>;
    expect(apiErr.status).toBe(status);
    expect(apiErr.requestID).toMatch(/^req_/);
    expect(apiErr.error).toMatchObject({ type: 'error', error: { type: errorType, message: expect.any(String) } });
    if (status === 429) expect(apiErr.headers?.get('retry-after')).toBe('1');
  });

  it('refuses a message without max_tokens as invalid_request_error', async () => {
    const err = await client.messages.create({ model: 'claude-x', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });
});

describe('Claude Code endpoints', () => {
  it('answers settings with 204, policy limits with no restrictions, and accepts event logs', async () => {
    const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
    expect((await fetch(`${mock.url}/api/claude_code/settings`, { headers })).status).toBe(204);
    const limits = await fetch(`${mock.url}/api/claude_code/policy_limits`, { headers });
    expect(await limits.json()).toEqual({ restrictions: {} });
    const logged = await fetch(`${mock.url}/api/event_logging/batch`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_type: 'a' }, { event_type: 'b' }] }),
    });
    expect(await logged.json()).toEqual({ accepted_count: 2, rejected_count: 0 });
  });
});
