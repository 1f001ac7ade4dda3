import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../../../src/bridge/mock-upstream/index.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const chatBody = (text: string, stream = false) => JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: text }] });

/** Reads an SSE body as it arrives: each event with the time it arrived. */
async function readEvents(res: Response): Promise<{ event?: string; data: string; at: number }[]> {
  const out: { event?: string; data: string; at: number }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    buf += value;
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      out.push({ event, data: /^data: (.*)$/m.exec(block)![1]!, at: performance.now() });
    }
  }
}

describe('the wire', () => {
  it('sends Anthropic events in the exact order, ping right after the first content_block_start', async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-chunks': '2' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const events = await readEvents(res);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
  });

  it('ends a chat completions stream with data: [DONE] and names no events', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', body: chatBody('x', true) });
    const events = await readEvents(res);
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(events.every((e) => e.event === undefined)).toBe(true);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('writes each chunk as it is produced, X-Mock-Chunk-Delay-Ms apart', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-mock-chunks': '4', 'x-mock-chunk-delay-ms': '60' },
      body: chatBody('slowly', true),
    });
    const events = await readEvents(res);
    const content = events.filter((e) => e.data !== '[DONE]' && JSON.parse(e.data).choices[0]?.delta.content);
    expect(content).toHaveLength(4);
    // The opening chunk arrives at once, then piece i only after i+1 delays: nothing is held
    // back to be sent together (25 ms of slack for a late first read on a busy machine).
    for (let i = 0; i < content.length; i++) expect(content[i]!.at - events[0]!.at).toBeGreaterThan((i + 1) * 60 - 25);
  });

  it('waits X-Mock-Delay-Ms before the first byte', async () => {
    const t0 = performance.now();
    const res = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-mock-delay-ms': '150' }, body: chatBody('late') });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });
});

describe('X-Mock-Abort-After', () => {
  const client = () => new OpenAI({ apiKey: 'k', baseURL: `${mock.url}/v1`, maxRetries: 0 });

  it('cuts a stream after N content chunks: the SDK gets N pieces, then an error', async () => {
    const stream = await client().chat.completions.create(
      { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'cut me' }] },
      { headers: { 'X-Mock-Chunks': '5', 'X-Mock-Abort-After': '2' } },
    );
    const pieces: string[] = [];
    const err = await (async () => {
      for await (const c of stream) if (c.choices[0]?.delta.content) pieces.push(c.choices[0].delta.content);
    })().catch((e: unknown) => e);
    expect(pieces).toHaveLength(2);
    expect(err).toBeInstanceOf(Error);
  });

  it('destroys the socket of a blocking request before any byte', async () => {
    const err = await client()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'X-Mock-Abort-After': '0' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('keeps serving after a client or the mock cut a stream', async () => {
    const ac = new AbortController();
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-mock-chunks': '50', 'x-mock-chunk-delay-ms': '20' },
      body: chatBody('bye', true),
      signal: ac.signal,
    });
    await res.body!.getReader().read();
    ac.abort();
    const ok = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'still here' }] });
    expect(ok.choices[0]!.message.content).toBe('echo: still here');
  });
});

describe('--key', () => {
  let keyed: MockUpstream;
  beforeAll(async () => {
    keyed = await startMockUpstream({ key: 'right-key' });
  });
  afterAll(() => keyed.close());

  it('lets the right OpenAI bearer key through and answers any other with 401 invalid_api_key', async () => {
    const good = new OpenAI({ apiKey: 'right-key', baseURL: `${keyed.url}/v1`, maxRetries: 0 });
    expect((await good.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ok' }] })).choices[0]!.message.content).toBe('echo: ok');
    const bad = new OpenAI({ apiKey: 'wrong-key', baseURL: `${keyed.url}/v1`, maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'no' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.AuthenticationError>).error)).not.toContain('wrong-key');
  });

  it('lets the right Anthropic key through as x-api-key or bearer, and answers any other with authentication_error', async () => {
    const body = { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user' as const, content: 'ok' }] };
    const post = (headers: Record<string, string>) =>
      fetch(`${keyed.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01', ...headers }, body: JSON.stringify(body) });
    // The SDK sends its apiKey as a bearer token.
    const sdk = new Anthropic({ apiKey: 'right-key', baseURL: keyed.url, maxRetries: 0 });
    expect((await sdk.messages.create(body)).content[0]).toEqual({ type: 'text', text: 'echo: ok' });
    expect((await post({ 'x-api-key': 'right-key' })).status).toBe(200);
    const bad = new Anthropic({ apiKey: 'wrong-key', baseURL: keyed.url, maxRetries: 0 });
    const err = await bad.messages.create(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ error: { type: 'authentication_error' } });
    const refused: Record<string, string>[] = [{}, { 'x-api-key': 'wrong-key' }, { 'x-api-key': 'right-key', authorization: 'Bearer coder-token' }];
    for (const headers of refused) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    }
  });
});

describe('bad requests', () => {
  it('answers an unknown path with 404 in the provider shape', async () => {
    const o = await fetch(`${mock.url}/v1/nothing`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{}' });
    expect(o.status).toBe(404);
    expect(await o.json()).toEqual({ error: { message: 'Invalid URL (POST /v1/nothing)', type: 'invalid_request_error', param: null, code: null } });
    const a = await fetch(`${mock.url}/v1/messages/nothing`, { method: 'POST', headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body: '{}' });
    expect(a.status).toBe(404);
    expect(await a.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' }, request_id: expect.stringMatching(/^req_/) });
  });

  it('answers malformed JSON with 400 in the provider shape', async () => {
    const o = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', body: '{"model":' });
    expect(o.status).toBe(400);
    expect(await o.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    const a = await fetch(`${mock.url}/v1/messages`, { method: 'POST', body: 'not json' });
    expect(a.status).toBe(400);
    expect(await a.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});

describe('the request log', () => {
  it('lists requests with method, path and query, headers and parsed body, over HTTP and in-process, and clears', async () => {
    const local = await startMockUpstream({ keep: 2 });
    try {
      await fetch(`${local.url}/v1/models`, { headers: { authorization: 'Bearer one' } });
      await fetch(`${local.url}/v1/chat/completions?x=1`, { method: 'POST', headers: { 'x-custom': 'yes' }, body: chatBody('logged') });
      await fetch(`${local.url}/v1/messages`, { method: 'POST', body: 'plain text' });
      const listed = (await (await fetch(`${local.url}/__mock/requests`)).json()) as RecordedRequest[];
      expect(listed).toEqual(local.requests());
      expect(listed.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/chat/completions?x=1', 'POST /v1/messages']);
      expect(listed[0]!.headers['x-custom']).toBe('yes');
      expect(listed[0]!.body).toEqual({ model: 'gpt-4o', stream: false, messages: [{ role: 'user', content: 'logged' }] });
      expect(listed[1]!.body).toBe('plain text');
      expect((await fetch(`${local.url}/__mock/requests`, { method: 'DELETE' })).status).toBe(204);
      expect(local.requests()).toEqual([]);
      await fetch(`${local.url}/v1/models`);
      local.clear();
      expect(local.requests()).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
