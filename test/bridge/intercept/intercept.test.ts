import { describe, expect, it } from 'vitest';
import { chatCompletions } from '../../../src/bridge/intercept/chat-completions.js';
import { messages } from '../../../src/bridge/intercept/messages.js';
import { isFinalResponseEvent, mayBeFinalResponseEvent, responses } from '../../../src/bridge/intercept/responses.js';
import { ObservingTap } from '../../../src/bridge/intercept/tap.js';
import type { EndpointAdapter } from '../../../src/bridge/intercept/types.js';

function sse(events: unknown[], named = false): Buffer {
  return Buffer.from(events.map((e) => `${named ? `event: ${(e as { type: string }).type}\n` : ''}data: ${JSON.stringify(e)}\n\n`).join('') + (named ? '' : 'data: [DONE]\n\n'));
}

/** Feeds a stream through the tap in small chunks, as the relay would. */
function observe(adapter: EndpointAdapter, body: Buffer, contentType = 'text/event-stream') {
  const tap = new ObservingTap(adapter);
  tap.start(200, { 'content-type': contentType });
  for (let i = 0; i < body.length; i += 7) tap.data(body.subarray(i, i + 7));
  tap.end();
  return tap.observation();
}

describe('chat completions', () => {
  it('reads model, stream and the last user prompt, not a tool result', () => {
    const body = { model: 'gpt-4o', stream: true, messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: {} }, { type: 'text', text: 'there' }] }] };
    expect(chatCompletions.readRequest(body)).toEqual({ model: 'gpt-4o', stream: true });
    expect(chatCompletions.lastUserPrompt(body)).toBe('hi\nthere');
    expect(chatCompletions.lastUserPrompt({ messages: [{ role: 'user', content: 'q' }, { role: 'tool', content: 'r', tool_call_id: 'c' }] })).toBeUndefined();
  });

  it.each([
    [{ stream: true }, { include_usage: true }],
    [{ stream: true, stream_options: { include_obfuscation: false } }, { include_obfuscation: false, include_usage: true }],
    [{ stream: true, stream_options: { include_usage: false } }, { include_usage: true }],
    [{ stream: true, stream_options: null }, { include_usage: true }],
    [{ stream: true, stream_options: { include_usage: true } }, { include_usage: true }],
    [{ stream: false }, undefined],
  ])('asks for usage in the stream options of %j', (fields, want) => {
    const raw = Buffer.from(` \n${JSON.stringify({ model: 'm', messages: [{ role: 'user', content: '{ not a brace }' }], ...fields })}`);
    const body = JSON.parse(raw.toString());
    const out = chatCompletions.rewrite!(raw, body, chatCompletions.readRequest(body));
    const sent = JSON.parse(out.toString());
    expect(sent.stream_options).toEqual(want);
    expect(sent.messages).toEqual(body.messages);
    if (want === undefined || (fields as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true) expect(out).toBe(raw);
  });

  it('reads usage (cached tokens apart) and tool calls from a blocking body', () => {
    const obs = chatCompletions.readResponse({
      id: 'chatcmpl-1',
      choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }] } }],
      usage: { prompt_tokens: 100, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 40 }, completion_tokens_details: { reasoning_tokens: 3 } },
    });
    expect(obs).toEqual({
      responseId: 'chatcmpl-1',
      usage: { inputTokens: 60, outputTokens: 7, metadata: { cache_read_input_tokens: 40, reasoning_tokens: 3 } },
      toolCalls: [{ id: 'call_1', name: 'get', input: '{"q":1}' }],
      thoughts: [],
    });
  });

  it('assembles streamed tool calls and reads the usage chunk', () => {
    const obs = observe(
      chatCompletions,
      sse([
        { id: 'c1', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get', arguments: '' } }] } }] },
        { id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] } }] },
        { id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_b', function: { name: 'put', arguments: '{}' } }] } }] },
        { id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] } }] },
        { id: 'c1', choices: [], usage: { prompt_tokens: 10, completion_tokens: 4 } },
      ]),
    );
    expect(obs).toEqual({
      responseId: 'c1',
      usage: { inputTokens: 10, outputTokens: 4, metadata: {} },
      toolCalls: [
        { id: 'call_a', name: 'get', input: '{"q":1}' },
        { id: 'call_b', name: 'put', input: '{}' },
      ],
      thoughts: [],
    });
  });
});

describe('responses', () => {
  const completed = {
    id: 'resp_1',
    output: [
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking hard' }] },
      { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' },
      { type: 'message', content: [{ type: 'output_text', text: 'done' }] },
    ],
    usage: { input_tokens: 50, output_tokens: 9, input_tokens_details: { cached_tokens: 20 }, output_tokens_details: { reasoning_tokens: 4 } },
  };
  const want = {
    responseId: 'resp_1',
    usage: { inputTokens: 30, outputTokens: 9, metadata: { cache_read_input_tokens: 20, reasoning_tokens: 4 } },
    toolCalls: [{ id: 'call_1', name: 'shell', input: '{"cmd":"ls"}' }],
    thoughts: ['thinking hard'],
  };

  it('reads the last user prompt from a string or from input items', () => {
    expect(responses.lastUserPrompt({ input: 'hello' })).toBe('hello');
    expect(responses.lastUserPrompt({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'a' }] }] })).toBe('a');
    expect(responses.lastUserPrompt({ input: [{ type: 'message', role: 'user', content: 'b' }] })).toBe('b');
    expect(responses.lastUserPrompt({ input: [{ type: 'function_call_output', call_id: 'c', output: 'x' }] })).toBeUndefined();
  });

  it('reads a blocking response', () => {
    expect(responses.readResponse(completed)).toEqual(want);
  });

  it('reads a stream from its final event', () => {
    const obs = observe(
      responses,
      sse(
        [
          { type: 'response.created', response: { id: 'resp_1', output: [] } },
          { type: 'response.output_text.delta', delta: 'do' },
          { type: 'response.completed', response: completed },
        ],
        true,
      ),
    );
    expect(obs).toEqual(want);
  });

  it('keeps the output items of a stream whose final event leaves them out', () => {
    const obs = observe(
      responses,
      sse(
        [
          { type: 'response.created', response: { id: 'resp_2' } },
          { type: 'response.output_item.done', item: { type: 'function_call', call_id: 'call_9', name: 'x', arguments: '{}' } },
          { type: 'response.completed', response: { id: 'resp_2', output: [], usage: { input_tokens: 1, output_tokens: 2 } } },
        ],
        true,
      ),
    );
    expect(obs?.toolCalls).toEqual([{ id: 'call_9', name: 'x', input: '{}' }]);
    expect(obs?.usage).toEqual({ inputTokens: 1, outputTokens: 2, metadata: {} });
  });

  it('knows the events that end a response', () => {
    expect(['response.completed', 'response.failed', 'response.incomplete', 'error'].map((type) => isFinalResponseEvent({ type }))).toEqual([true, true, true, true]);
    expect(isFinalResponseEvent({ type: 'response.output_text.delta' })).toBe(false);
  });
});

describe('messages', () => {
  it('reads the last user prompt but not a tool result turn', () => {
    expect(messages.lastUserPrompt({ messages: [{ role: 'user', content: 'hi' }] })).toBe('hi');
    expect(messages.lastUserPrompt({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] }] })).toBeUndefined();
  });

  it('reads usage, tool calls and thinking from a blocking body', () => {
    expect(
      messages.readResponse({
        id: 'msg_1',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 's' },
          { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
        ],
        usage: { input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 },
      }),
    ).toEqual({
      responseId: 'msg_1',
      usage: { inputTokens: 12, outputTokens: 5, metadata: { cache_read_input_tokens: 100, cache_creation_input_tokens: 7 } },
      toolCalls: [{ id: 'toolu_1', name: 'Bash', input: '{"command":"ls"}' }],
      thoughts: ['hmm'],
    });
  });

  it('reads a stream: input usage from message_start, output from message_delta, blocks by index', () => {
    const obs = observe(
      messages,
      sse(
        [
          { type: 'message_start', message: { id: 'msg_2', usage: { input_tokens: 20, cache_read_input_tokens: 3, output_tokens: 1 } } },
          { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'let me ' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'see' } },
          { type: 'content_block_stop', index: 0 },
          { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_2', name: 'Read', input: {} } },
          { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"path":' } },
          { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"a"}' } },
          { type: 'content_block_stop', index: 1 },
          { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 15 } },
          { type: 'message_stop' },
        ],
        true,
      ),
    );
    expect(obs).toEqual({
      responseId: 'msg_2',
      usage: { inputTokens: 20, outputTokens: 15, metadata: { cache_read_input_tokens: 3 } },
      toolCalls: [{ id: 'toolu_2', name: 'Read', input: '{"path":"a"}' }],
      thoughts: ['let me see'],
    });
  });
});

describe('ObservingTap', () => {
  it('reads a blocking JSON body once it has ended', () => {
    const body = Buffer.from(JSON.stringify({ id: 'msg_3', content: [], usage: { input_tokens: 1, output_tokens: 2 } }));
    expect(observe(messages, body, 'application/json')?.usage).toEqual({ inputTokens: 1, outputTokens: 2, metadata: {} });
  });

  it('reads nothing from an error response', () => {
    const tap = new ObservingTap(messages);
    tap.start(429, { 'content-type': 'application/json' });
    tap.data(Buffer.from('{"type":"error"}'));
    expect(tap.observation()).toBeUndefined();
  });

  it('keeps what a stream cut short said so far', () => {
    const tap = new ObservingTap(messages);
    tap.start(200, { 'content-type': 'text/event-stream' });
    tap.data(sse([{ type: 'message_start', message: { id: 'msg_4', usage: { input_tokens: 9, output_tokens: 1 } } }], true));
    expect(tap.observation()).toMatchObject({ responseId: 'msg_4', usage: { inputTokens: 9, outputTokens: 1 } });
  });
});

describe('mayBeFinalResponseEvent', () => {
  it('lets through the text of every final event, and not that of ordinary stream events', () => {
    const finals = ['response.completed', 'response.incomplete', 'response.failed', 'response.done', 'error'].map((type) => ({ type, response: { id: 'r' } }));
    for (const ev of finals) {
      expect(isFinalResponseEvent(ev)).toBe(true);
      expect(mayBeFinalResponseEvent(JSON.stringify(ev)), ev.type).toBe(true);
      expect(mayBeFinalResponseEvent(JSON.stringify(ev, null, 2)), ev.type).toBe(true);
    }
    for (const ev of [{ type: 'response.output_text.delta', delta: 'hi' }, { type: 'response.created', response: { id: 'r' } }, { type: 'response.in_progress' }]) {
      expect(mayBeFinalResponseEvent(JSON.stringify(ev)), ev.type).toBe(false);
    }
  });
});
