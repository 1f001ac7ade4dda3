import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startMockUpstream, type MockUpstream } from '../../../src/bridge/mock-upstream/index.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream({ key: 'ws-key' });
});
afterAll(() => mock.close());

type Event = { type: string; [k: string]: unknown };

function open(headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${mock.url.replace('http', 'ws')}/v1/responses`, {
    headers: { authorization: 'Bearer ws-key', 'openai-beta': 'responses_websockets=2026-02-06', ...headers },
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one message and collects the events up to response.completed (or an error event). */
function exchange(ws: WebSocket, msg: unknown, seen: Event[] = []): Promise<Event[]> {
  const events = seen;
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const ev = JSON.parse(data.toString()) as Event;
      events.push(ev);
      if (ev.type === 'response.completed' || ev.type === 'error') {
        ws.off('message', onMessage);
        resolve(events);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', () => reject(new Error(`closed after ${events.length} events`)));
    ws.send(JSON.stringify(msg));
  });
}

/** The status of a refused upgrade. */
function refusal(headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`${mock.url.replace('http', 'ws')}/v1/responses`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      res.resume();
    });
    ws.once('open', () => reject(new Error('upgrade accepted')));
  });
}

describe('Responses over WebSocket', () => {
  it('answers each response.create with the same response.* events as the SSE stream, one message each', async () => {
    const ws = await open({ 'x-mock-chunks': '3' });
    const events = await exchange(ws, { type: 'response.create', model: 'gpt-5', input: [{ role: 'user', content: 'over ws' }] });
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.at(-1)).toBe('response.completed');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
    expect(deltas.join('')).toBe('echo: over ws');
    expect(deltas).toHaveLength(3);
    const completed = events.at(-1)!.response as { usage: { output_tokens: number }; model: string };
    expect(completed.usage.output_tokens).toBe(3);
    expect(completed.model).toBe('gpt-5');

    // Same connection, next turn; Codex's response.processed acknowledgement gets no answer.
    ws.send(JSON.stringify({ type: 'response.processed', response_id: 'x' }));
    const second = await exchange(ws, { type: 'response.create', model: 'gpt-5', input: 'again', previous_response_id: 'resp_1' });
    expect(second.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('')).toBe('echo: again');
    expect((second.at(-1)!.response as { previous_response_id: string }).previous_response_id).toBe('resp_1');
    ws.close();

    const seen = mock.requests().slice(-4);
    expect(seen.map((r) => r.method)).toEqual(['GET', 'WS', 'WS', 'WS']);
    expect(seen[0]!.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
    expect(seen[1]!.body).toMatchObject({ type: 'response.create', model: 'gpt-5' });
  });

  it('answers a warm-up (generate: false) with created and completed only', async () => {
    const ws = await open();
    const events = await exchange(ws, { type: 'response.create', model: 'gpt-5', input: [], generate: false });
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.completed']);
    ws.close();
  });

  it('streams a tool call over the socket', async () => {
    const ws = await open({ 'x-mock-tool-call': '1', 'x-mock-chunks': '2' });
    const events = await exchange(ws, { type: 'response.create', model: 'gpt-5', input: 'call', tools: [{ type: 'function', name: 'shell', parameters: {} }] });
    expect(events.filter((e) => e.type === 'response.function_call_arguments.delta')).toHaveLength(2);
    const done = events.find((e) => e.type === 'response.function_call_arguments.done')!;
    expect(done.arguments).toBe('{"query":"call"}');
    ws.close();
  });

  it('sends an error message with a status for a bad message, and keeps the connection', async () => {
    const ws = await open();
    const [err] = await exchange(ws, { type: 'response.create', input: 'no model' });
    expect(err).toMatchObject({ type: 'error', status: 400, error: { type: 'invalid_request_error', param: 'model' } });
    const [bad] = await exchange(ws, { type: 'session.update' });
    expect(bad).toMatchObject({ type: 'error', status: 400 });
    const ok = await exchange(ws, { type: 'response.create', model: 'gpt-5', input: 'fine' });
    expect(ok.at(-1)!.type).toBe('response.completed');
    ws.close();
  });

  it('cuts the connection after X-Mock-Abort-After content messages', async () => {
    const ws = await open({ 'x-mock-chunks': '5', 'x-mock-abort-after': '2' });
    const seen: Event[] = [];
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const err = await exchange(ws, { type: 'response.create', model: 'gpt-5', input: 'cut' }, seen).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(seen.filter((e) => e.type === 'response.output_text.delta')).toHaveLength(2);
    expect(seen.map((e) => e.type)).not.toContain('response.completed');
    // No close frame: the socket was cut (1006, abnormal closure).
    expect(await closed).toBe(1006);
    const again = await open();
    expect((await exchange(again, { type: 'response.create', model: 'gpt-5', input: 'after' })).at(-1)!.type).toBe('response.completed');
    again.close();
  });

  it('refuses the upgrade with 401 for a wrong key and with X-Mock-Status otherwise', async () => {
    expect(await refusal({ authorization: 'Bearer nope' })).toBe(401);
    expect(await refusal({ authorization: 'Bearer ws-key', 'x-mock-status': '429' })).toBe(429);
  });

  it('works with the openai SDK ResponsesWS client', async () => {
    const client = new OpenAI({ apiKey: 'ws-key', baseURL: `${mock.url}/v1`, maxRetries: 0 });
    const rws = new ResponsesWS(client, { headers: { 'x-mock-chunks': '2' } });
    const deltas: string[] = [];
    rws.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const completed = new Promise<OpenAI.Responses.Response>((resolve) => rws.on('response.completed', (e) => resolve(e.response)));
    rws.send({ type: 'response.create', model: 'gpt-5', input: 'from the sdk' });
    const response = await completed;
    rws.close();
    expect(deltas).toHaveLength(2);
    expect(deltas.join('')).toBe('echo: from the sdk');
    expect(response.status).toBe('completed');
  });
});
