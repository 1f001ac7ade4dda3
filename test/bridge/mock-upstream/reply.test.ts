import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKS, parseKnobs } from '../../../src/bridge/mock-upstream/knobs.js';
import { firstToolName, lastUserText, planReply, splitInto, wantsThinking } from '../../../src/bridge/mock-upstream/reply.js';
import { routeRequest } from '../../../src/bridge/mock-upstream/routes.js';

describe('splitInto', () => {
  it.each([
    ['abcdefghij', 3, true, ['abcd', 'efg', 'hij']],
    ['abc', 5, true, ['a', 'b', 'c', '.', '.']],
    ['abc', 5, false, ['a', 'b', 'c']],
    ['abc', 0, true, []],
    ['a😀b😀', 2, true, ['a😀', 'b😀']],
  ])('cuts %j into %i pieces (pad %s)', (text, n, pad, want) => {
    expect(splitInto(text, n, pad)).toEqual(want);
  });
});

describe('lastUserText', () => {
  it('takes the last user message of a chat completions body, string or parts', () => {
    expect(
      lastUserText('chat', {
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'x' },
          { role: 'user', content: [{ type: 'text', text: 'sec' }, { type: 'text', text: 'ond' }] },
        ],
      }),
    ).toBe('second');
  });

  it('takes a Responses input string, or the last user item of an input list', () => {
    expect(lastUserText('responses', { input: 'plain' })).toBe('plain');
    expect(
      lastUserText('responses', {
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'old' }] },
          { type: 'function_call_output', call_id: 'c', output: 'x' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'new' }] },
        ],
      }),
    ).toBe('new');
  });

  it('reads text inside an Anthropic tool_result when that is all the user sent', () => {
    expect(
      lastUserText('messages', {
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'sunny' }] }] }],
      }),
    ).toBe('sunny');
  });
});

describe('firstToolName and wantsThinking', () => {
  it('names the first function tool in each API shape, or mock_tool', () => {
    expect(firstToolName('chat', { tools: [{ type: 'function', function: { name: 'get_weather' } }] })).toBe('get_weather');
    expect(firstToolName('responses', { tools: [{ type: 'web_search' }, { type: 'function', name: 'lookup' }] })).toBe('lookup');
    expect(firstToolName('messages', { tools: [{ name: 'bash', input_schema: {} }] })).toBe('bash');
    expect(firstToolName('messages', {})).toBe('mock_tool');
  });

  it('sees thinking in Anthropic `thinking` and Responses `reasoning.summary` only', () => {
    expect(wantsThinking('messages', { thinking: { type: 'enabled', budget_tokens: 1024 } })).toBe(true);
    expect(wantsThinking('messages', { thinking: { type: 'disabled' } })).toBe(false);
    expect(wantsThinking('responses', { reasoning: { effort: 'low', summary: 'auto' } })).toBe(true);
    expect(wantsThinking('responses', { reasoning: { effort: 'low' } })).toBe(false);
    expect(wantsThinking('chat', { reasoning_effort: 'low' })).toBe(false);
  });
});

describe('planReply', () => {
  const body = { messages: [{ role: 'user', content: 'hello' }] };

  it('echoes the last user message in X-Mock-Chunks pieces and counts one output token per piece', () => {
    const r = planReply('chat', body, 400, parseKnobs({ 'x-mock-chunks': '4' }));
    expect(r.text).toBe('echo: hello');
    expect(r.textChunks).toHaveLength(4);
    expect(r.usage).toEqual({ input: 100, output: 4, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('answers with a call of the first tool, its arguments cut in pieces, when asked', () => {
    const r = planReply('messages', { ...body, tools: [{ name: 'search', input_schema: {} }] }, 10, parseKnobs({ 'x-mock-tool-call': '1', 'x-mock-chunks': '3' }));
    expect(r.text).toBe('');
    expect(r.tool).toEqual({ name: 'search', arguments: '{"query":"hello"}', argumentChunks: expect.any(Array) });
    expect(r.tool!.argumentChunks.join('')).toBe('{"query":"hello"}');
    expect(r.tool!.argumentChunks).toHaveLength(3);
  });

  it('takes usage from the X-Mock-*-Tokens headers when given', () => {
    const r = planReply(
      'messages',
      body,
      10,
      parseKnobs({ 'x-mock-input-tokens': '7', 'x-mock-output-tokens': '9', 'x-mock-cache-read-tokens': '3', 'x-mock-cache-write-tokens': '2' }),
    );
    expect(r.usage).toEqual({ input: 7, output: 9, cacheRead: 3, cacheWrite: 2, reasoning: 0 });
  });
});

describe('parseKnobs', () => {
  it('has defaults with no headers and ignores malformed values and 2xx statuses', () => {
    expect(parseKnobs({})).toMatchObject({ status: undefined, delayMs: 0, chunkDelayMs: 0, chunks: DEFAULT_CHUNKS, abortAfter: undefined, toolCall: false });
    expect(parseKnobs({ 'x-mock-chunks': 'many', 'x-mock-status': '200', 'x-mock-delay-ms': '-5' })).toMatchObject({
      chunks: DEFAULT_CHUNKS,
      status: undefined,
      delayMs: 0,
    });
    expect(parseKnobs({ 'x-mock-status': '529', 'x-mock-abort-after': '2', 'x-mock-tool-call': 'true' })).toMatchObject({
      status: 529,
      abortAfter: 2,
      toolCall: true,
    });
  });
});

describe('routeRequest', () => {
  it.each([
    ['POST', '/v1/chat/completions', {}, 'openai', 'chat.completions'],
    ['POST', '/v1/responses', {}, 'openai', 'responses'],
    ['POST', '/v1/messages', {}, 'anthropic', 'messages'],
    ['POST', '/v1/messages/count_tokens', {}, 'anthropic', 'messages.count_tokens'],
    ['GET', '/v1/models', { 'anthropic-version': '2023-06-01' }, 'anthropic', 'anthropic.models'],
    ['GET', '/v1/models', { authorization: 'Bearer k' }, 'openai', 'openai.models'],
    ['GET', '/v1/models/gpt-4o', {}, 'openai', 'openai.model'],
    ['POST', '/api/event_logging/batch', {}, 'anthropic', 'event_logging'],
    ['GET', '/api/claude_code/policy_limits', {}, 'anthropic', 'claude_code.policy_limits'],
    ['GET', '/v1/chat/completions', {}, 'openai', 'not_found'],
    ['POST', '/v1/nothing', { 'x-api-key': 'k' }, 'anthropic', 'not_found'],
  ])('%s %s %j → %s %s', (method, path, headers, provider, name) => {
    expect(routeRequest(method, path, headers)).toMatchObject({ provider, name });
  });
});
