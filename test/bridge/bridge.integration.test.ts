import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { registry } from '../../src/metrics/index.js';
import { runCli } from '../cli/helpers.js';
import { engines } from '../helpers/db.js';
import { newUser, PROVIDER_KEY, startStack, type Stack } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface InterceptionRow {
  id: string;
  initiator_id: string;
  api_key_id: string;
  provider: string;
  model: string;
  client: string;
  client_session_id: string | null;
  credential_kind: string;
  credential_hint: string;
  endpoint: string;
  status_code: number;
  ended_at: Date | null;
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

describe.each(engines())('bridge with the real SDKs on $name', (engine) => {
  let db: Database;
  let s: Stack;
  let member: Awaited<ReturnType<typeof newUser>>;
  let other: Awaited<ReturnType<typeof newUser>>;
  let owner: Awaited<ReturnType<typeof newUser>>;
  let oa: OpenAI;
  let an: Anthropic;

  beforeAll(async () => {
    db = await engine.open();
    s = await startStack(db);
    member = await newUser(db);
    other = await newUser(db);
    owner = await newUser(db, ['owner']);
    oa = new OpenAI({ baseURL: s.openaiBase, apiKey: member.token, maxRetries: 0 });
    an = new Anthropic({ baseURL: s.anthropicBase, apiKey: member.token, maxRetries: 0 });
  });

  afterAll(async () => {
    await s.close();
    await db.close();
  });

  async function recorded(id: string) {
    await s.bridge.recorder!.idle();
    const [row] = await db.query<InterceptionRow>('q', 'SELECT * FROM aibridge_interceptions WHERE id = $1', [id]);
    const usages = await db.query<{ input_tokens: number; output_tokens: number; metadata: unknown; provider_response_id: string }>(
      'q',
      'SELECT input_tokens, output_tokens, metadata, provider_response_id FROM aibridge_token_usages WHERE interception_id = $1',
      [id],
    );
    const prompts = await db.query<{ prompt: string }>('q', 'SELECT prompt FROM aibridge_user_prompts WHERE interception_id = $1', [id]);
    const tools = await db.query<{ tool: string; input: string; provider_tool_call_id: string; injected: boolean }>(
      'q',
      'SELECT tool, input, provider_tool_call_id, injected FROM aibridge_tool_usages WHERE interception_id = $1',
      [id],
    );
    const thoughts = await db.query<{ content: string }>('q', 'SELECT content FROM aibridge_model_thoughts WHERE interception_id = $1', [id]);
    return { row, usages, prompts: prompts.map((p) => p.prompt), tools, thoughts: thoughts.map((t) => t.content) };
  }

  it('answers a blocking chat completion and records the interception, its usage and its prompt', async () => {
    const { data, response } = await oa.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] }).withResponse();
    expect(data.choices[0].message.content).toBe('echo: hello there');
    const id = response.headers.get('x-coder-interception-id')!;
    expect(id).toMatch(UUID);
    const r = await recorded(id);
    expect(r.row).toMatchObject({
      initiator_id: member.id,
      api_key_id: member.keyId,
      provider: 'openai',
      model: 'gpt-4o-mini',
      client: 'OpenAI SDK',
      credential_kind: 'centralized',
      credential_hint: 'sk-t…6789',
      endpoint: 'chat-completions',
      status_code: 200,
    });
    expect(r.row.ended_at).toBeInstanceOf(Date);
    expect(r.usages).toEqual([{ input_tokens: data.usage!.prompt_tokens, output_tokens: data.usage!.completion_tokens, metadata: null, provider_response_id: data.id }]);
    expect(r.prompts).toEqual(['hello there']);
  });

  it('streams a chat completion, asking the upstream for usage so that it is recorded', async () => {
    const { data: stream, response } = await oa.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream please' }], stream: true }, { headers: { 'x-mock-chunks': '4' } })
      .withResponse();
    let text = '';
    let chunks = 0;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      chunks++;
    }
    expect(text).toBe('echo: stream please');
    expect(chunks).toBeGreaterThan(4);
    const sent = s.mock.requests().at(-1)!;
    expect((sent.body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    const id = response.headers.get('x-coder-interception-id')!;
    const r = await recorded(id);
    expect(r.usages).toHaveLength(1);
    expect(r.usages[0].output_tokens).toBeGreaterThan(0);
    expect(r.prompts).toEqual(['stream please']);
  });

  it('records the tool calls of a Responses answer, blocking and streamed', async () => {
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }];
    const blocking = await oa.responses.create({ model: 'gpt-5', input: 'weather in Paris?', tools }, { headers: { 'x-mock-tool-call': '1' } }).withResponse();
    const call = blocking.data.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ name: 'get_weather' });
    const r1 = await recorded(blocking.response.headers.get('x-coder-interception-id')!);
    expect(r1.row.endpoint).toBe('responses');
    expect(r1.tools).toEqual([{ tool: 'get_weather', input: '{"query":"weather in Paris?"}', provider_tool_call_id: (call as { call_id: string }).call_id, injected: false }]);
    expect(r1.prompts).toEqual(['weather in Paris?']);

    const { data: stream, response } = await oa.responses.create({ model: 'gpt-5', input: 'and in Rome?', tools, stream: true }, { headers: { 'x-mock-tool-call': '1' } }).withResponse();
    let completed = false;
    for await (const ev of stream) if (ev.type === 'response.completed') completed = true;
    expect(completed).toBe(true);
    const r2 = await recorded(response.headers.get('x-coder-interception-id')!);
    expect(r2.tools.map((t) => t.tool)).toEqual(['get_weather']);
    expect(r2.usages).toHaveLength(1);
  });

  it('answers Anthropic messages, blocking and streamed, recording thinking and tool calls', async () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
    const { data, response } = await an.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 2000, thinking, messages: [{ role: 'user', content: 'think about it' }] }, { headers: { 'x-mock-cache-read-tokens': '7' } })
      .withResponse();
    expect(data.content.some((b) => b.type === 'thinking')).toBe(true);
    const r1 = await recorded(response.headers.get('x-coder-interception-id')!);
    expect(r1.row).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5', client: 'Anthropic SDK', endpoint: 'messages' });
    expect(r1.thoughts).toEqual(['Thinking about: think about it']);
    expect(r1.usages[0]).toMatchObject({ input_tokens: data.usage.input_tokens, output_tokens: data.usage.output_tokens, metadata: { cache_read_input_tokens: 7 } });

    const stream = an.messages.stream(
      { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'list files' }], tools: [{ name: 'Bash', input_schema: { type: 'object' } }] },
      { headers: { 'x-mock-tool-call': '1' } },
    );
    const final = await stream.finalMessage();
    const use = final.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'Bash', input: { query: 'list files' } });
    const { response: res2 } = await stream.withResponse();
    const r2 = await recorded(res2.headers.get('x-coder-interception-id')!);
    expect(r2.tools).toEqual([{ tool: 'Bash', input: '{"query":"list files"}', provider_tool_call_id: (use as { id: string }).id, injected: false }]);
    expect(r2.usages[0].output_tokens).toBe(final.usage.output_tokens);
  });

  it('passes upstream errors through as the SDKs typed errors, and records them as failed', async () => {
    const before = await metric('coder_aibridged_interceptions_total', { provider: 'openai', status: 'failed', initiator_id: member.id });
    const err = await oa.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-status': '429' } }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    const r = await recorded(err.headers.get('x-coder-interception-id'));
    expect(r.row.status_code).toBe(429);
    expect(await metric('coder_aibridged_interceptions_total', { provider: 'openai', status: 'failed', initiator_id: member.id })).toBe(before + 1);

    const overloaded = await an.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-status': '529' } }).catch((e) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded.status).toBe(529);
    expect(overloaded.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });

    const bad = new OpenAI({ baseURL: s.openaiBase, apiKey: 'abcdefghij-0123456789012345678901', maxRetries: 0 });
    const unauth = await bad.models.list().catch((e) => e);
    expect(unauth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauth.error).toMatchObject({ message: 'invalid or expired Coder token', code: 'invalid_api_key' });
    const none = await request(`${s.anthropicBase}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m"}' });
    expect(none.statusCode).toBe(401);
    expect(await none.body.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: expect.stringContaining('no authentication key provided') } });
  });

  it('passes models, token counting and Claude Code start-up calls through, with the provider key', async () => {
    const models = await oa.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const count = await an.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'count me' }] });
    expect(count.input_tokens).toBeGreaterThan(0);
    const settings = await request(`${s.anthropicBase}/api/claude_code/settings`, { headers: { authorization: `Bearer ${member.token}`, 'user-agent': 'claude-cli/2.0.0' } });
    expect(settings.statusCode).toBe(204);
    await settings.body.dump();
    const log = await request(`${s.anthropicBase}/api/event_logging/batch`, { method: 'POST', headers: { 'x-api-key': member.token, 'content-type': 'application/json' }, body: '{"events":[]}' });
    expect(log.statusCode).toBe(200);
    await log.body.dump();
    const seen = s.mock.requests().slice(-4);
    expect(seen.map((r) => r.path)).toEqual(['/v1/models', '/v1/messages/count_tokens', '/api/claude_code/settings', '/api/event_logging/batch']);
    for (const r of seen) expect(JSON.stringify(r.headers)).not.toContain(member.token);
    expect(await metric('coder_aibridged_passthrough_total', { provider: 'anthropic', route: '/api/claude_code/' })).toBeGreaterThan(0);
  });

  it('answers an unknown route 404 route not supported', async () => {
    const res = await request(`${s.openaiBase}/completions`, { method: 'POST', headers: { authorization: `Bearer ${member.token}` }, body: '{}' });
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toEqual({ error: { message: 'route not supported: POST /openai/v1/completions', type: 'invalid_request_error', code: 'unknown_url' } });
    const unknown = await request(`${s.api.url}/api/v2/aibridge/gemini/v1/models`);
    expect(unknown.statusCode).toBe(404);
    expect(await unknown.body.text()).toBe('route not supported: GET /gemini/v1/models\n');
  });

  describe('GET /api/v2/aibridge/interceptions', () => {
    let ids: { member: string[]; other: string[] };

    beforeAll(async () => {
      ids = { member: [], other: [] };
      const mk = async (token: string, model: string, ua?: string) => {
        const res = await request(`${s.openaiBase}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(ua ? { 'user-agent': ua } : {}) },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'list me' }] }),
        });
        await res.body.dump();
        return res.headers['x-coder-interception-id'] as string;
      };
      for (let i = 0; i < 3; i++) ids.member.push(await mk(member.token, 'list-model-a', 'curl/8.5.0'));
      ids.other.push(await mk(other.token, 'list-model-b'));
      await s.bridge.recorder!.idle();
    });

    async function list(token: string, query = '') {
      const res = await request(`${s.api.url}/api/v2/aibridge/interceptions${query}`, { headers: { 'Coder-Session-Token': token } });
      return { status: res.statusCode, body: (await res.body.json()) as { count: number; results: { id: string; initiator: { id: string; username: string }; client: string; token_usages: unknown[]; user_prompts: { prompt: string }[] }[]; message?: string } };
    }

    it('shows members their own interceptions and owners everyone, newest first', async () => {
      const mine = await list(member.token, '?q=' + encodeURIComponent('model:list-model-a'));
      expect(mine.body.results.map((r) => r.id)).toEqual([...ids.member].reverse());
      expect(mine.body.count).toBe(3);
      expect(mine.body.results[0]).toMatchObject({ initiator: { id: member.id, username: member.username }, client: 'curl', user_prompts: [{ prompt: 'list me' }] });
      expect(mine.body.results[0].token_usages).toHaveLength(1);
      const theirs = await list(member.token, '?q=' + encodeURIComponent('model:list-model-b'));
      expect(theirs.body.results).toEqual([]);
      const all = await list(owner.token, '?q=' + encodeURIComponent('model:list-model-b'));
      expect(all.body.results.map((r) => r.id)).toEqual(ids.other);
    });

    it('filters by initiator (me, username, id), provider and client', async () => {
      const byName = await list(owner.token, '?q=' + encodeURIComponent(`initiator:${member.username} client:curl`));
      expect(byName.body.results.map((r) => r.id)).toEqual([...ids.member].reverse());
      const byId = await list(owner.token, '?q=' + encodeURIComponent(`initiator:${other.id} provider:openai`));
      expect(byId.body.results.map((r) => r.id)).toEqual(ids.other);
      const me = await list(other.token, '?q=' + encodeURIComponent('initiator:me'));
      expect(me.body.results.map((r) => r.id)).toEqual(ids.other);
      const none = await list(owner.token, '?q=' + encodeURIComponent('provider:anthropic model:list-model-a'));
      expect(none.body.count).toBe(0);
      const future = await list(owner.token, '?q=' + encodeURIComponent('started_after:2999-01-01T00:00:00Z'));
      expect(future.body.count).toBe(0);
    });

    it('pages with limit and the after_id cursor, and refuses after_id with offset', async () => {
      const q = '?q=' + encodeURIComponent('model:list-model-a') + '&limit=2';
      const p1 = await list(member.token, q);
      expect(p1.body.results.map((r) => r.id)).toEqual([ids.member[2], ids.member[1]]);
      const p2 = await list(member.token, `${q}&after_id=${ids.member[1]}`);
      expect(p2.body.results.map((r) => r.id)).toEqual([ids.member[0]]);
      const both = await list(member.token, `${q}&after_id=${ids.member[1]}&offset=1`);
      expect(both.status).toBe(400);
      const tooMany = await list(member.token, '?limit=1001');
      expect(tooMany.status).toBe(400);
      const badQ = await list(member.token, '?q=colour:blue');
      expect(badQ.status).toBe(400);
      expect((await request(`${s.api.url}/api/v2/aibridge/interceptions`)).statusCode).toBe(401);
    });

    it('reads the session cookie, and answers 401 (not 500) to a cookie that is not valid percent-encoding', async () => {
      const byCookie = await request(`${s.api.url}/api/v2/aibridge/interceptions?limit=1`, { headers: { cookie: `theme=dark; coder_session_token=${encodeURIComponent(member.token)}` } });
      expect(byCookie.statusCode).toBe(200);
      await byCookie.body.dump();
      const bad = await request(`${s.api.url}/api/v2/aibridge/interceptions`, { headers: { cookie: 'coder_session_token=%E0%A4%A' } });
      expect(bad.statusCode).toBe(401);
      expect(((await bad.body.json()) as { message: string }).message).toMatch(/invalid or expired/);
    });

    it('leaves out interceptions still in flight', async () => {
      const pending = request(`${s.openaiBase}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json', 'x-mock-delay-ms': '400' },
        body: JSON.stringify({ model: 'inflight-model', messages: [{ role: 'user', content: 'slow' }] }),
      });
      await expect.poll(() => s.mock.requests().some((r) => (r.body as { model?: string })?.model === 'inflight-model')).toBe(true);
      await s.bridge.recorder!.idle();
      const rows = await db.query('q', "SELECT id FROM aibridge_interceptions WHERE model = 'inflight-model' AND ended_at IS NULL");
      expect(rows).toHaveLength(1);
      expect((await list(member.token, '?q=model:inflight-model')).body.count).toBe(0);
      const res = await pending;
      await res.body.dump();
      await s.bridge.recorder!.idle();
      expect((await list(member.token, '?q=model:inflight-model')).body.count).toBe(1);
    });

    it('lists through the CLI, as a table or JSON', async () => {
      const json = await runCli(['interceptions', 'list', '--url', s.api.url, '--model', 'list-model-a', '-o', 'json'], { CODER_SESSION_TOKEN: owner.token });
      expect(json.code).toBe(0);
      expect((JSON.parse(json.out) as { results: { id: string }[] }).results.map((r) => r.id)).toEqual([...ids.member].reverse());
      const table = await runCli(['interceptions', 'list', '--url', s.api.url, '--initiator', member.username, '--model', 'list-model-a', '--limit', '1'], { CODER_SESSION_TOKEN: owner.token });
      expect(table.code).toBe(0);
      const lines = table.out.split('\n');
      expect(lines[0]).toMatch(/^ID\s+STARTED\s+INITIATOR\s+PROVIDER\s+MODEL\s+CLIENT\s+TOKENS IN\/OUT\s+PROMPT$/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(ids.member[2]);
      expect(lines[1]).toContain('list me');
      const bad = await runCli(['interceptions', 'list', '--url', s.api.url, '--limit', '0'], { CODER_SESSION_TOKEN: owner.token });
      expect(bad.code).toBe(2);
    });
  });

  it('serves the proxy CA certificate to signed-in users only', async () => {
    const withCa = await startStack(db, {}, { mock: s.mock, caCertPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
    try {
      const ok = await request(`${withCa.api.url}/api/v2/aibridge/proxy/ca-cert.pem`, { headers: { 'Coder-Session-Token': member.token } });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toBe('application/x-pem-file');
      expect(await ok.body.text()).toContain('BEGIN CERTIFICATE');
      const anon = await request(`${withCa.api.url}/api/v2/aibridge/proxy/ca-cert.pem`);
      expect(anon.statusCode).toBe(401);
      await anon.body.dump();
      const none = await request(`${s.api.url}/api/v2/aibridge/proxy/ca-cert.pem`, { headers: { authorization: `Bearer ${member.token}` } });
      expect(none.statusCode).toBe(404);
      await none.body.dump();
    } finally {
      await withCa.close();
    }
  });

  it('uses the provider key: the upstream never sees the Coder token', () => {
    for (const r of s.mock.requests()) {
      const h = JSON.stringify(r.headers);
      expect(h).not.toContain(member.token);
      expect(r.headers['x-coder-token']).toBeUndefined();
      const key = r.headers.authorization ?? r.headers['x-api-key'];
      expect(String(key)).toContain(PROVIDER_KEY);
    }
  });
});
