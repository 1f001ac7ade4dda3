import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { BYOK_NOT_ALLOWED } from '../../src/bridge/auth.js';
import { ObservingTap } from '../../src/bridge/intercept/tap.js';
import { insertApiKey, type Database } from '../../src/db/index.js';
import { registry } from '../../src/metrics/index.js';
import { engines } from '../helpers/db.js';
import { newUser, PROVIDER_KEY, startStack, type Stack } from './helpers.js';

/** These behaviours do not depend on the database engine; they run on one (PostgreSQL when it answers: it opens fastest). */
const engine = engines().at(-1)!;

const chat = (model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe(`bridge behaviour on ${engine.name}`, () => {
  let db: Database;
  let s: Stack;
  let user: Awaited<ReturnType<typeof newUser>>;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    db = await engine.open();
    s = await startStack(db);
    user = await newUser(db);
  });

  afterAll(async () => {
    for (const x of stacks) await x.close();
    await s.close();
    await db.close();
  });

  async function stack(config: Record<string, unknown>): Promise<Stack> {
    const x = await startStack(db, config, { mock: s.mock });
    stacks.push(x);
    return x;
  }

  async function post(url: string, headers: Record<string, string>, body = chat()) {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  describe('token precedence and headers', () => {
    it('forwards every client header but the bridge ones, with the provider key, when the token comes in X-Coder-Token', async () => {
      const res = await request(`${s.anthropicBase}/v1/messages?beta=true`, {
        method: 'POST',
        headers: [
          'content-type', 'application/json',
          'x-coder-token', user.token,
          'authorization', `Bearer ${user.token}`,
          'x-coder-ai-governance-request-id', 'req-123',
          'proxy-authorization', 'Basic Y29kZXI6eA==',
          'cookie', `coder_session_token=${user.token}; theme=dark`,
          'accept-encoding', 'gzip, br',
          'anthropic-version', '2023-06-01',
          'anthropic-beta', 'context-management-2025-06-27',
          'anthropic-beta', 'interleaved-thinking-2025-05-14',
          'x-app', 'cli',
          'x-stainless-lang', 'js',
          'x-claude-code-session-id', 'session-abc',
          'user-agent', 'claude-cli/2.0.31 (external, cli)',
        ],
        body: JSON.stringify({ model: 'claude-haiku', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.statusCode).toBe(200);
      const id = res.headers['x-coder-interception-id'] as string;
      await res.body.dump();
      const seen = s.mock.requests().at(-1)!;
      expect(seen.path).toBe('/v1/messages?beta=true');
      const h = seen.headers;
      expect(h['x-api-key']).toBe(PROVIDER_KEY);
      for (const gone of ['authorization', 'x-coder-token', 'x-coder-ai-governance-request-id', 'proxy-authorization', 'accept-encoding', 'cookie']) expect(h[gone], gone).toBeUndefined();
      expect(h['anthropic-beta']).toBe('context-management-2025-06-27, interleaved-thinking-2025-05-14');
      expect(h).toMatchObject({ 'anthropic-version': '2023-06-01', 'x-app': 'cli', 'x-stainless-lang': 'js', 'x-claude-code-session-id': 'session-abc', 'user-agent': 'claude-cli/2.0.31 (external, cli)' });
      await s.bridge.recorder!.idle();
      const [row] = await db.query<{ client: string; client_session_id: string; credential_kind: string; metadata: unknown }>(
        'q',
        'SELECT client, client_session_id, credential_kind, metadata FROM aibridge_interceptions WHERE id = $1',
        [id],
      );
      expect(row).toEqual({ client: 'Claude Code', client_session_id: 'session-abc', credential_kind: 'centralized', metadata: { request_id: 'req-123' } });
    });

    it('strips the client credentials and injects the key when the token comes in Authorization or X-Api-Key', async () => {
      const a = await post(`${s.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}`, 'x-api-key': 'sk-stray' });
      expect(a.status).toBe(200);
      expect(s.mock.requests().at(-1)!.headers).toMatchObject({ authorization: `Bearer ${PROVIDER_KEY}` });
      expect(s.mock.requests().at(-1)!.headers['x-api-key']).toBeUndefined();
      const b = await post(`${s.anthropicBase}/v1/messages`, { 'x-api-key': user.token }, JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }));
      expect(b.status).toBe(200);
      expect(s.mock.requests().at(-1)!.headers['x-api-key']).toBe(PROVIDER_KEY);
    });

    it('honours token scopes: a token for other resources is refused, an aibridge one is let through', async () => {
      const narrow = await insertApiKey(db, { userId: user.id, lifetimeSeconds: 600, scopes: ['workspace:read'] });
      const before = s.mock.requests().length;
      const r = await post(`${s.openaiBase}/chat/completions`, { authorization: `Bearer ${narrow.token}` });
      expect(r.status).toBe(403);
      expect(r.json().error.message).toContain('aibridge_interception:create');
      expect(s.mock.requests().length).toBe(before);
      const list = await request(`${s.api.url}/api/v2/aibridge/interceptions`, { headers: { 'coder-session-token': narrow.token } });
      expect(list.statusCode).toBe(403);
      await list.body.dump();
      const aibridge = await insertApiKey(db, { userId: user.id, lifetimeSeconds: 600, scopes: ['aibridge_interception:create'] });
      expect((await post(`${s.openaiBase}/chat/completions`, { authorization: `Bearer ${aibridge.token}` })).status).toBe(200);
    });

    it('takes X-Coder-Token before Authorization: a wrong X-Coder-Token fails even with a good Authorization', async () => {
      const r = await post(`${s.openaiBase}/chat/completions`, { 'x-coder-token': 'abcdefghij-0123456789012345678901', authorization: `Bearer ${user.token}` });
      expect(r.status).toBe(401);
      expect(r.json()).toEqual({ error: { message: 'invalid or expired Coder token', type: 'invalid_request_error', code: 'invalid_api_key' } });
    });

    it('refuses a client own key with 403 when BYOK is not allowed', async () => {
      const before = s.mock.requests().length;
      const r = await post(`${s.anthropicBase}/v1/messages`, { 'x-coder-token': user.token, 'x-api-key': 'sk-ant-users-own-key' });
      expect(r.status).toBe(403);
      expect(r.json()).toEqual({ type: 'error', error: { type: 'permission_error', message: BYOK_NOT_ALLOWED } });
      expect(s.mock.requests().length).toBe(before);
    });

    it('forwards the client own key untouched when BYOK is allowed, and records the mode', async () => {
      const byok = await stack({ 'aibridge.allowByok': true, 'aibridge.openai.key': 'sk-central-key-that-the-mock-refuses' });
      const r = await post(`${byok.openaiBase}/chat/completions`, { 'x-coder-ai-governance-token': user.token, authorization: `Bearer ${PROVIDER_KEY}` });
      expect(r.status).toBe(200);
      expect(s.mock.requests().at(-1)!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
      await byok.bridge.recorder!.idle();
      const [row] = await db.query<{ credential_kind: string; credential_hint: string }>('q', 'SELECT credential_kind, credential_hint FROM aibridge_interceptions WHERE id = $1', [r.headers['x-coder-interception-id']]);
      expect(row).toEqual({ credential_kind: 'byok', credential_hint: 'sk-t…6789' });
      const central = await post(`${byok.openaiBase}/chat/completions`, { 'x-coder-ai-governance-token': user.token });
      expect(central.status).toBe(401);
      expect(s.mock.requests().at(-1)!.headers.authorization).toBe('Bearer sk-central-key-that-the-mock-refuses');
    });
  });

  describe('upstream failures', () => {
    it('answers 502 in the provider shape when the upstream is unreachable', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const down = await stack({ 'aibridge.openai.baseUrl': `http://127.0.0.1:${port}/v1`, 'aibridge.anthropic.baseUrl': `http://127.0.0.1:${port}` });
      const oa = new OpenAI({ baseURL: down.openaiBase, apiKey: user.token, maxRetries: 0 });
      const err = await oa.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBe(502);
      expect(err.error).toEqual({ message: 'upstream provider unreachable (ECONNREFUSED)', type: 'server_error', code: 'bad_gateway' });
      const a = await post(`${down.anthropicBase}/v1/messages`, { 'x-api-key': user.token });
      expect(a.status).toBe(502);
      expect(a.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream provider unreachable (ECONNREFUSED)' } });
    });

    it('answers 504 in the provider shape when the upstream is too slow', async () => {
      const slow = await stack({ 'aibridge.upstreamTimeout': 150 });
      const r = await post(`${slow.anthropicBase}/v1/messages`, { 'x-api-key': user.token, 'x-mock-delay-ms': '2000' });
      expect(r.status).toBe(504);
      expect(r.json()).toEqual({ type: 'error', error: { type: 'timeout_error', message: 'upstream provider timed out' } });
      expect(r.headers['x-coder-interception-id']).toBeDefined();
    });

    it('cuts the client off when the upstream cuts a stream, and records what the stream said so far', async () => {
      const res = await request(`${s.anthropicBase}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': user.token, 'x-mock-abort-after': '2' },
        body: JSON.stringify({ model: 'claude-cut', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'cut me' }] }),
      });
      expect(res.statusCode).toBe(200);
      const id = res.headers['x-coder-interception-id'] as string;
      let text = '';
      const err = await (async () => {
        for await (const c of res.body) text += c.toString();
      })().catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(text).toContain('message_start');
      expect(text).not.toContain('message_stop');
      await s.bridge.recorder!.idle();
      const [row] = await db.query<{ status_code: number }>('q', 'SELECT status_code FROM aibridge_interceptions WHERE id = $1', [id]);
      expect(row.status_code).toBe(200);
      const usage = await db.query<{ input_tokens: number }>('q', 'SELECT input_tokens FROM aibridge_token_usages WHERE interception_id = $1', [id]);
      expect(usage).toHaveLength(1);
      expect(usage[0].input_tokens).toBeGreaterThan(0);
    });

    it('answers 400 in the provider shape for a body that is not JSON', async () => {
      const r = await post(`${s.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` }, '{"model":');
      expect(r.status).toBe(400);
      expect(r.json().error.type).toBe('invalid_request_error');
    });
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    // A provider whose stream never ends on its own: it tells when the bridge hangs up on it.
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    let timer: NodeJS.Timeout | undefined;
    const provider: Server = createServer((req, res: ServerResponse) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      timer = setInterval(() => res.write(`data: {"id":"c","choices":[{"index":0,"delta":{"content":"${n++} "}}]}\n\n`), 10);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableFinished) upstreamClosed();
      });
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', () => r()));
    const endless = await stack({ 'aibridge.openai.baseUrl': `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1` });
    try {
      const url = new URL(`${endless.openaiBase}/chat/completions`);
      const sock = connect(Number(url.port), url.hostname);
      await once(sock, 'connect');
      const body = chat('endless', { stream: true });
      sock.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      let got = '';
      await new Promise<void>((resolve) => {
        sock.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.includes('data: {')) resolve();
        });
      });
      expect(got).toMatch(/^HTTP\/1.1 200/);
      sock.destroy();
      await closed;
      await endless.bridge.recorder!.idle();
      const [row] = await db.query<{ status_code: number; ended: boolean }>('q', "SELECT status_code, ended_at IS NOT NULL AS ended FROM aibridge_interceptions WHERE model = 'endless'");
      expect(row).toEqual({ status_code: 200, ended: true });
    } finally {
      clearInterval(timer);
      provider.closeAllConnections();
      await new Promise((r) => provider.close(r));
    }
  });

  describe('circuit breaker', () => {
    it('trips after consecutive failures, rejects with Coder bodies while open, lets a trial through half-open and closes on its success', async () => {
      const cb = await stack({
        'aibridge.circuitBreaker.enabled': true,
        'aibridge.circuitBreaker.failureThreshold': 2,
        'aibridge.circuitBreaker.timeout': 300,
        'aibridge.circuitBreaker.maxRequests': 1,
      });
      const url = `${cb.openaiBase}/chat/completions`;
      const auth = { authorization: `Bearer ${user.token}` };
      // 500 is not a breaker failure: it passes through and does not count.
      expect((await post(url, { ...auth, 'x-mock-status': '500' }, chat('cb-model'))).status).toBe(500);
      expect((await post(url, { ...auth, 'x-mock-status': '503' }, chat('cb-model'))).status).toBe(503);
      const second = await post(url, { ...auth, 'x-mock-status': '429' }, chat('cb-model'));
      expect(second.status).toBe(429);
      expect(second.json().error.code).toBe('rate_limit_exceeded');
      const breaker = cb.bridge.breakers!.get('openai', 'chat-completions', 'cb-model');
      expect(breaker.state).toBe('open');

      const before = s.mock.requests().length;
      const rejected = await post(url, auth, chat('cb-model'));
      expect(rejected.status).toBe(503);
      expect(rejected.headers['retry-after']).toBe('1');
      expect(rejected.text).toBe('{"error":{"message":"circuit breaker is open","type":"server_error","code":"service_unavailable"}}');
      expect(s.mock.requests().length).toBe(before);
      // Another model of the same provider is not affected.
      expect((await post(url, auth, chat('cb-other'))).status).toBe(200);

      await once(breaker.cb, 'halfOpen');
      const trial = await post(url, auth, chat('cb-model'));
      expect(trial.status).toBe(200);
      expect(breaker.state).toBe('closed');
      expect((await post(url, auth, chat('cb-model'))).status).toBe(200);
    });

    it('ends the interception (status 500, in-flight gauge back down) when the breaker fails with anything but an open circuit', async () => {
      const cb = await stack({ 'aibridge.circuitBreaker.enabled': true });
      const breaker = cb.bridge.breakers!.get('openai', 'chat-completions', 'cb-broken');
      vi.spyOn(breaker, 'execute').mockRejectedValueOnce(new Error('breaker bug'));
      const res = await post(`${cb.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` }, chat('cb-broken'));
      expect(res.status).toBe(500);
      const inflight = await registry.getSingleMetric('coder_aibridged_interceptions_inflight')!.get();
      expect(inflight.values.find((v) => v.labels.model === 'cb-broken')?.value).toBe(0);
      await cb.bridge.recorder!.idle();
      const rows = await db.query<{ status_code: number; ended: boolean }>('q', "SELECT status_code, ended_at IS NOT NULL AS ended FROM aibridge_interceptions WHERE model = 'cb-broken'");
      expect(rows).toEqual([{ status_code: 500, ended: true }]);
    });

    it('counts Anthropic 529 as a failure and answers with the Anthropic body', async () => {
      const cb = await stack({ 'aibridge.circuitBreaker.enabled': true, 'aibridge.circuitBreaker.failureThreshold': 1, 'aibridge.circuitBreaker.timeout': 30_000 });
      const url = `${cb.anthropicBase}/v1/messages`;
      const auth = { 'x-api-key': user.token };
      const body = JSON.stringify({ model: 'claude-cb', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
      expect((await post(url, { ...auth, 'x-mock-status': '529' }, body)).status).toBe(529);
      const rejected = await post(url, auth, body);
      expect(rejected.status).toBe(503);
      expect(rejected.headers['retry-after']).toBe('30');
      expect(rejected.text).toBe('{"type":"error","error":{"type":"overloaded_error","message":"circuit breaker is open"}}');
    });
  });

  describe('overload protection', () => {
    it('answers 503 past the concurrency cap', async () => {
      const capped = await stack({ 'aibridge.maxConcurrency': 1 });
      const first = post(`${capped.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}`, 'x-mock-delay-ms': '300' }, chat('cap-model'));
      await expect.poll(() => s.mock.requests().some((r) => (r.body as { model?: string })?.model === 'cap-model')).toBe(true);
      const second = await post(`${capped.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` });
      expect(second.status).toBe(503);
      expect(second.headers['retry-after']).toBe('1');
      expect(second.json().error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
      expect((await first).status).toBe(200);
      expect((await post(`${capped.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` })).status).toBe(200);
    });

    it('answers 429 with Retry-After past the per-token rate', async () => {
      const limited = await stack({ 'aibridge.rateLimit': 2 });
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await post(`${limited.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` }));
      const refused = results.filter((r) => r.status === 429);
      // Five requests span at most two one-second windows of two each.
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(results[0].status).toBe(200);
      expect(refused[0].headers['retry-after']).toBe('1');
      expect(refused[0].json().error.code).toBe('rate_limit_exceeded');
      // Another token has its own budget.
      const other = await newUser(db);
      expect((await post(`${limited.openaiBase}/chat/completions`, { authorization: `Bearer ${other.token}` })).status).toBe(200);
    });
  });

  describe('Responses over WebSocket', () => {
    function open(url: string, headers: Record<string, string>, protocols: string[] = []): Promise<WebSocket> {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(url, protocols, { headers });
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
        });
        ws.once('error', reject);
      });
    }

    function untilCompleted(ws: WebSocket): Promise<{ type: string; [k: string]: unknown }[]> {
      const events: { type: string }[] = [];
      return new Promise((resolve) => {
        const on = (data: WebSocket.RawData) => {
          const ev = JSON.parse(data.toString());
          events.push(ev);
          if (ev.type === 'response.completed' || ev.type === 'error') {
            ws.off('message', on);
            resolve(events);
          }
        };
        ws.on('message', on);
      });
    }

    it('authenticates the upgrade, relays frames both ways and records each response', async () => {
      const wsUrl = `${s.openaiBase.replace('http', 'ws')}/responses`;
      const ws = await open(wsUrl, { authorization: `Bearer ${user.token}`, 'openai-beta': 'responses_websockets=2026-02-06', 'user-agent': 'codex_exec/0.50.0', session_id: 'codex-session-1' });
      ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-5-codex', generate: false, input: [] }));
      const warm = await untilCompleted(ws);
      expect(warm.at(-1)!.type).toBe('response.completed');
      ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-5-codex', input: [{ role: 'user', content: [{ type: 'input_text', text: 'over the socket' }] }] }));
      const events = await untilCompleted(ws);
      const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
      expect(text).toBe('echo: over the socket');
      const seen = s.mock.requests().filter((r) => r.method === 'GET' && r.path === '/v1/responses').at(-1)!;
      expect(seen.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
      expect(seen.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
      ws.close();
      await once(ws, 'close');
      await s.bridge.recorder!.idle();
      const rows = await db.query<{ id: string; client: string; client_session_id: string; endpoint: string }>(
        'q',
        "SELECT id, client, client_session_id, endpoint FROM aibridge_interceptions WHERE model = 'gpt-5-codex'",
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ client: 'Codex', client_session_id: 'codex-session-1', endpoint: 'responses' });
      const usage = await db.query<{ output_tokens: number }>('q', 'SELECT output_tokens FROM aibridge_token_usages WHERE interception_id = $1', [rows[0].id]);
      expect(usage).toHaveLength(1);
      const prompts = await db.query<{ prompt: string }>('q', 'SELECT prompt FROM aibridge_user_prompts WHERE interception_id = $1', [rows[0].id]);
      expect(prompts.map((p) => p.prompt)).toEqual(['over the socket']);
    });

    /** Sends a hand-made upgrade request and returns the status line's code (0 if the socket just closed). */
    async function rawUpgrade(base: string, path: string, lines: string[]): Promise<number> {
      const { hostname, port } = new URL(base);
      const sock = connect(Number(port), hostname);
      await once(sock, 'connect');
      sock.write([`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: Upgrade', ...lines, '', ''].join('\r\n'));
      let text = '';
      sock.on('data', (c) => (text += c.toString('latin1')));
      await once(sock, 'close');
      return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
    }

    it('refuses a bad client handshake before taking a concurrency slot or dialling the upstream', async () => {
      const one = await stack({ 'aibridge.maxConcurrency': 1 });
      const path = `${new URL(one.openaiBase).pathname}/responses`;
      const auth = `Authorization: Bearer ${user.token}`;
      const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
      const dialled = () => s.mock.requests().filter((r) => r.method === 'GET' && r.path === '/v1/responses').length;
      const before = dialled();
      const bad = [
        [auth, 'Upgrade: websocket', 'Sec-WebSocket-Key: short', 'Sec-WebSocket-Version: 13'],
        [auth, 'Upgrade: websocket', key, 'Sec-WebSocket-Version: 7'],
        [auth, 'Upgrade: h2c', key, 'Sec-WebSocket-Version: 13'],
        [auth, 'Upgrade: websocket', key, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: a, a'],
        [auth, 'Upgrade: websocket', key, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: a b'],
      ];
      for (const lines of bad) expect(await rawUpgrade(one.api.url, path, lines), lines.join(' | ')).toBe(400);
      expect(dialled()).toBe(before);
      // The one slot is still free.
      expect((await post(`${one.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` })).status).toBe(200);
      // And a good handshake with a subprotocol still goes through, and gives its slot back when closed.
      const ws = await open(`${one.openaiBase.replace('http', 'ws')}/responses`, { authorization: `Bearer ${user.token}` }, ['a', 'b']);
      expect(ws.protocol).toBe('a');
      ws.close();
      await once(ws, 'close');
      await expect.poll(async () => (await post(`${one.openaiBase}/chat/completions`, { authorization: `Bearer ${user.token}` })).status).toBe(200);
    });

    it('with recording off, parses no response body or stream event but the final one, and still ends each interception', async () => {
      const off = await stack({ 'aibridge.recording.enabled': false });
      const tapStart = vi.spyOn(ObservingTap.prototype, 'start');
      const parse = vi.spyOn(JSON, 'parse');
      try {
        const auth = { authorization: `Bearer ${user.token}` };
        expect((await post(`${off.openaiBase}/chat/completions`, auth, chat('no-rec-model'))).status).toBe(200);
        expect((await post(`${off.openaiBase}/chat/completions`, auth, chat('no-rec-model', { stream: true }))).status).toBe(200);
        expect(tapStart).not.toHaveBeenCalled();
        const ws = await open(`${off.openaiBase.replace('http', 'ws')}/responses`, auth);
        ws.send(JSON.stringify({ type: 'response.create', model: 'no-rec-ws', input: [{ role: 'user', content: [{ type: 'input_text', text: 'quiet' }] }] }));
        // Read without parsing, so that every parse of a delta is the bridge's.
        let deltas = 0;
        await new Promise<void>((resolve) => {
          ws.on('message', (d) => {
            const t = d.toString();
            if (t.includes('response.output_text.delta')) deltas++;
            if (t.includes('response.completed')) resolve();
          });
        });
        expect(deltas).toBeGreaterThan(0);
        expect(parse.mock.calls.filter(([t]) => typeof t === 'string' && t.includes('response.output_text.delta'))).toEqual([]);
        ws.close();
        await once(ws, 'close');
      } finally {
        tapStart.mockRestore();
        parse.mockRestore();
      }
      const metric = async (name: string, model: string, status?: string) =>
        (await registry.getSingleMetric(name)!.get()).values.filter((v) => v.labels.model === model && (!status || v.labels.status === status)).reduce((n, v) => n + v.value, 0);
      expect(await metric('coder_aibridged_interceptions_total', 'no-rec-ws', 'completed')).toBe(1);
      expect(await metric('coder_aibridged_interceptions_inflight', 'no-rec-ws')).toBe(0);
      expect(await metric('coder_aibridged_interceptions_total', 'no-rec-model', 'completed')).toBe(2);
    });

    it('refuses an unauthenticated upgrade with 401 in the OpenAI shape, and passes upstream refusals through', async () => {
      const wsUrl = `${s.openaiBase.replace('http', 'ws')}/responses`;
      const anon = await open(wsUrl, {}).catch((e) => e);
      expect(anon.status).toBe(401);
      expect(JSON.parse(anon.body).error.code).toBe('invalid_api_key');
      const refused = await open(wsUrl, { authorization: `Bearer ${user.token}`, 'x-mock-status': '429' }).catch((e) => e);
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body).error.code).toBe('rate_limit_exceeded');
      const wrong = await open(`${s.anthropicBase.replace('http', 'ws')}/v1/messages`, { 'x-api-key': user.token }).catch((e) => e);
      expect(wrong.status).toBe(404);
    });
  });
});
