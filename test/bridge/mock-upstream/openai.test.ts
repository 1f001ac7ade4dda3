import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../../../src/bridge/mock-upstream/index.js';

let mock: MockUpstream;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
});
afterAll(() => mock.close());

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { query: { type: 'string' } } } },
};

describe('chat completions through the openai SDK', () => {
  it('answers a blocking request with the echoed last user message and usage', async () => {
    const c = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello there' }] });
    expect(c.object).toBe('chat.completion');
    expect(c.model).toBe('gpt-4o');
    expect(c.choices[0]!.message.content).toBe('echo: hello there');
    expect(c.choices[0]!.finish_reason).toBe('stop');
    expect(c.usage).toMatchObject({ completion_tokens: 5, prompt_tokens: expect.any(Number) });
    expect(c.usage!.total_tokens).toBe(c.usage!.prompt_tokens + 5);
  });

  it('streams X-Mock-Chunks content chunks, then a usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'stream me' }], stream: true, stream_options: { include_usage: true } },
      { headers: { 'X-Mock-Chunks': '4', 'X-Mock-Cache-Read-Tokens': '6' } },
    );
    const contents: string[] = [];
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      const piece = chunk.choices[0]?.delta.content;
      if (piece) contents.push(piece);
    }
    expect(contents).toHaveLength(4);
    expect(contents.join('')).toBe('echo: stream me');
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 4, prompt_tokens_details: { cached_tokens: 6 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('sends no usage chunk and no usage field without include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
  });

  it('answers with a tool call whose streamed argument deltas the SDK reassembles', async () => {
    const runner = client.chat.completions.stream(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'weather in Paris' }], tools: [weatherTool] },
      { headers: { 'X-Mock-Tool-Call': '1', 'X-Mock-Chunks': '5' } },
    );
    let argDeltas = 0;
    runner.on('chunk', (c) => {
      if (c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments) argDeltas++;
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type).toBe('function');
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ query: 'weather in Paris' });
    expect(argDeltas).toBe(5);
  });

  it('answers a blocking tool call with tool_calls and a null content', async () => {
    const c = await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'q' }], tools: [weatherTool] },
      { headers: { 'X-Mock-Tool-Call': '1' } },
    );
    expect(c.choices[0]!.message.content).toBeNull();
    expect(c.choices[0]!.message.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"query":"q"}' } });
  });
});

describe('responses through the openai SDK', () => {
  it('answers a blocking request with output_text and usage', async () => {
    const r = await client.responses.create({ model: 'gpt-5', input: 'hi there' });
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.output_text).toBe('echo: hi there');
    expect(r.usage).toMatchObject({ output_tokens: 5, input_tokens: expect.any(Number) });
  });

  it('streams response.created … output_text deltas … response.completed with usage', async () => {
    const stream = await client.responses.create(
      { model: 'gpt-5', input: [{ role: 'user', content: 'tell me' }], stream: true },
      { headers: { 'X-Mock-Chunks': '3', 'X-Mock-Input-Tokens': '11' } },
    );
    const types: string[] = [];
    const deltas: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    let seq = -1;
    for await (const ev of stream) {
      types.push(ev.type);
      expect(ev.sequence_number).toBe(seq + 1);
      seq = ev.sequence_number;
      if (ev.type === 'response.output_text.delta') deltas.push(ev.delta);
      if (ev.type === 'response.completed') completed = ev.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.in_progress');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.output_text.done');
    expect(deltas.join('')).toBe('echo: tell me');
    expect(deltas).toHaveLength(3);
    expect(completed!.usage).toMatchObject({ input_tokens: 11, output_tokens: 3, total_tokens: 14 });
  });

  it('streams a function call and a reasoning summary that the SDK stream helper assembles', async () => {
    const stream = client.responses.stream(
      {
        model: 'gpt-5',
        input: 'find it',
        reasoning: { effort: 'low', summary: 'auto' },
        tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: false }],
      },
      { headers: { 'X-Mock-Tool-Call': '1', 'X-Mock-Chunks': '2' } },
    );
    const types = new Set<string>();
    stream.on('event', (e) => types.add(e.type));
    const final = await stream.finalResponse();
    expect(types).toContain('response.reasoning_summary_text.delta');
    expect(types).toContain('response.function_call_arguments.delta');
    const [reasoning, call] = final.output;
    expect(reasoning).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking about: find it' }] });
    expect(call).toMatchObject({ type: 'function_call', name: 'lookup', arguments: '{"query":"find it"}', status: 'completed' });
    expect(final.usage!.output_tokens_details.reasoning_tokens).toBe(2);
  });
});

describe('models through the openai SDK', () => {
  it('lists models and retrieves one, and a missing one is NotFoundError model_not_found', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-4o');
    expect((await client.models.retrieve('gpt-4o')).object).toBe('model');
    const err = await client.models.retrieve('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });
});

describe('errors through the openai SDK', () => {
  it.each([
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [503, OpenAI.InternalServerError],
    [504, OpenAI.InternalServerError],
    [400, OpenAI.BadRequestError],
  ])('X-Mock-Status %i surfaces as the typed error with the status', async (status, type) => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'X-Mock-Status': String(status) } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    const apiErr = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiErr.status).toBe(status);
    expect(apiErr.requestID).toMatch(/^req_/);
    expect(apiErr.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    if (status === 429) expect(apiErr.headers?.get('retry-after')).toBe('1');
  });

  it('answers a streaming request with the error status before any event', async () => {
    const err = await client.responses
      .create({ model: 'gpt-5', input: 'x', stream: true }, { headers: { 'X-Mock-Status': '503' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('refuses a body without a model with missing_required_parameter', async () => {
    const err = await client.chat.completions
      .create({ messages: [{ role: 'user', content: 'x' }] } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');
  });
});
