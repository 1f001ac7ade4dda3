import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import pg from 'pg';
import { fetch as undiciFetch, ProxyAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../../src/bridge/mock-upstream/index.js';
import { startProduct, type RunningProduct } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config/index.js';
import { runCli } from '../cli/helpers.js';
import { pgUrl } from '../helpers/db.js';
import { testLog } from '../helpers/log.js';

const run = promisify(execFile);
const PROVIDER_KEY = 'sk-e2e-provider-key';

interface Engine {
  name: string;
  env(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const engines: Engine[] = [{ name: 'embedded PGlite', env: async () => ({ env: {}, cleanup: async () => {} }) }];
if (pgUrl()) {
  engines.push({
    name: 'PostgreSQL',
    async env() {
      const schema = `e2e_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
      const admin = new pg.Client({ connectionString: pgUrl() });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const u = new URL(pgUrl());
      u.searchParams.set('options', `-c search_path=${schema}`);
      return {
        env: { CODER_PG_CONNECTION_URL: u.toString() },
        async cleanup() {
          const c = new pg.Client({ connectionString: pgUrl() });
          await c.connect();
          await c.query(`DROP SCHEMA ${schema} CASCADE`);
          await c.end();
        },
      };
    },
  });
}

/**
 * The product's main path as a user runs it: `serve` (as the CLI wires it) in front of the mock
 * upstream, the unmodified OpenAI and Anthropic SDKs and curl going through the proxy with its
 * CA, the interceptions recorded and listed.
 */
describe.each(engines)('main path through `serve` on $name', (engine) => {
  let mock: MockUpstream;
  let product: RunningProduct;
  let token: string;
  let caFile: string;
  let proxyUrl: string;
  let dispatcher: ProxyAgent;
  let dataDir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    mock = await startMockUpstream({ key: PROVIDER_KEY, keep: 1000 });
    dataDir = mkdtempSync(join(tmpdir(), 'e2e-'));
    const db = await engine.env();
    cleanup = db.cleanup;
    const loaded = loadConfig({
      env: {
        ...db.env,
        AIBRIDGE_DATA_DIR: dataDir,
        CODER_HTTP_ADDRESS: '127.0.0.1:0',
        CODER_AIBRIDGE_PROXY_LISTEN_ADDR: '127.0.0.1:0',
        CODER_PROMETHEUS_ADDRESS: '127.0.0.1:0',
        CODER_AIBRIDGE_OPENAI_KEY: PROVIDER_KEY,
        CODER_AIBRIDGE_ANTHROPIC_KEY: PROVIDER_KEY,
        // The SDKs keep their default base URLs (api.openai.com, api.anthropic.com); the bridge's
        // upstream is the mock.
        CODER_AIBRIDGE_OPENAI_BASE_URL: `${mock.url}/v1`,
        CODER_AIBRIDGE_ANTHROPIC_BASE_URL: mock.url,
        AIBRIDGE_RECORDING_FLUSH_INTERVAL: '20ms',
      },
    });
    const out: string[] = [];
    product = await startProduct(loaded, { api: true, proxy: true }, testLog, { out: (l) => out.push(l), err: () => {}, env: {} });
    token = product.bootstrap!.token;
    caFile = product.ca!.certPath;
    proxyUrl = `http://${product.addresses.proxy}`;
    expect(out.join('\n')).toContain(`HTTPS_PROXY=http://coder:${token}@${product.addresses.proxy}`);
    dispatcher = new ProxyAgent({
      uri: proxyUrl,
      token: `Basic ${Buffer.from(`coder:${token}`).toString('base64')}`,
      requestTls: { ca: readFileSync(caFile, 'utf8') },
    });
  });

  afterAll(async () => {
    await dispatcher?.close();
    await product?.close();
    await mock?.close();
    await cleanup?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const viaProxy: typeof fetch = ((url: string, init: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher } as never)) as never;

  it('answers the OpenAI SDK, blocking and streaming, through the proxy', async () => {
    const openai = new OpenAI({ apiKey: token, maxRetries: 0, fetch: viaProxy });
    const done = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello proxy' }] });
    expect(done.choices[0].message.content).toBe('echo: hello proxy');
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream me' }] });
    let text = '';
    let chunks = 0;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      chunks++;
    }
    expect(text).toBe('echo: stream me');
    expect(chunks).toBeGreaterThan(2);
    const resp = await openai.responses.create({ model: 'gpt-4o-mini', input: 'responses api' });
    expect(resp.output_text).toBe('echo: responses api');
  });

  it('answers the Anthropic SDK, blocking and streaming, through the proxy', async () => {
    const anthropic = new Anthropic({ apiKey: token, maxRetries: 0, fetch: viaProxy });
    const msg = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello claude' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'echo: hello claude' });
    const stream = anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'stream claude' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'echo: stream claude' });
  });

  it('streams to curl through the proxy with the generated CA', async () => {
    const { stdout } = await run('curl', [
      '-sS', '-N', '--fail-with-body',
      '--proxy', `http://coder:${token}@${product.addresses.proxy}`,
      '--cacert', caFile,
      'https://api.openai.com/v1/chat/completions',
      '-H', 'content-type: application/json',
      '-d', JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'curl here' }] }),
    ]);
    expect(stdout).toMatch(/^data: \{/);
    expect(stdout.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('sends the provider key upstream, never the Coder token', () => {
    const seen = mock.requests();
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      const text = JSON.stringify(r.headers);
      expect(text).not.toContain(token);
      expect(r.headers['x-coder-token']).toBeUndefined();
    }
  });

  it('serves the same path through a separate `aibridge proxy` that checks tokens with the server', async () => {
    const loaded = loadConfig({
      env: {
        AIBRIDGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'e2e-proxy-')),
        CODER_ACCESS_URL: `http://${product.addresses.http}`,
        CODER_AIBRIDGE_PROXY_LISTEN_ADDR: '127.0.0.1:0',
        CODER_PROMETHEUS_ADDRESS: '',
        CODER_AIBRIDGE_PROXY_CERT_FILE: caFile,
        CODER_AIBRIDGE_PROXY_KEY_FILE: join(dataDir, 'ca', 'ca.key'),
      },
    });
    const proxyOnly = await startProduct(loaded, { api: false, proxy: true }, testLog);
    try {
      const via = (t: string) =>
        run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_connect} %{http_code}', '--proxy', `http://coder:${t}@${proxyOnly.addresses.proxy}`, '--cacert', caFile, 'https://api.openai.com/v1/models']);
      expect((await via(token)).stdout).toBe('200 200');
      // A token the server does not know never gets through.
      const bad = await via('abcdefghij-0123456789012345678901').catch((e: { stdout: string }) => e);
      expect(bad.stdout).toBe('407 000');
    } finally {
      await proxyOnly.close();
    }
  });

  it('records every interception and lists it with `aibridge interceptions list --url`', async () => {
    const list = async () => {
      const res = await fetch(`http://${product.addresses.http}/api/v2/aibridge/interceptions`, { headers: { 'Coder-Session-Token': token } });
      return (await res.json()) as { count: number; results: { provider: string; model: string; client: string }[] };
    };
    const deadline = Date.now() + 10_000;
    let body = await list();
    while (body.results.length < 6 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      body = await list();
    }
    const providers = body.results.map((r) => r.provider).sort();
    expect(providers).toEqual(['anthropic', 'anthropic', 'openai', 'openai', 'openai', 'openai']);
    expect(body.results.map((r) => r.client)).toContain('curl');
    expect(body.results.map((r) => r.client)).toContain('OpenAI SDK');
    const cli = await runCli(['interceptions', 'list', '--url', `http://${product.addresses.http}`, '-o', 'json'], { CODER_SESSION_TOKEN: token });
    expect(cli.code, cli.err).toBe(0);
    expect((JSON.parse(cli.out) as { results: unknown[] }).results).toHaveLength(6);
  });
});
