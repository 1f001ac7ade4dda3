import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';
import { bin, freePort, startAibridge, startProc, waitFor, type Proc } from './procs.js';

export const MOCK_KEY = 'sk-bench-provider-key';

async function portOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

/** `aibridge mock-upstream` on a free port, requiring MOCK_KEY. */
export async function startMock(): Promise<{ proc: Proc; url: string; port: number }> {
  const port = await freePort();
  const proc = startProc('mock-upstream', process.execPath, [bin, 'mock-upstream', '--address', `127.0.0.1:${port}`, '--key', MOCK_KEY]);
  await waitFor('mock-upstream', () => portOpen(port), proc);
  return { proc, url: `http://127.0.0.1:${port}`, port };
}

/** The real PostgreSQL for recording, in a fresh schema, when it answers; else undefined (PGlite). */
export async function benchPgUrl(): Promise<string | undefined> {
  const base = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => {});
  }
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface Product {
  proc: Proc;
  token: string;
  apiUrl: string;
  proxyPort?: number;
  caPem?: string;
  metricsUrl: string;
}

/** `aibridge serve` (or `server`) against the mock, returning the bootstrap token and addresses. */
export async function startProductAgainstMock(
  name: string,
  mockUrl: string,
  opts: { command?: 'serve' | 'server'; pgUrl?: string; env?: NodeJS.ProcessEnv; dataDir?: string } = {},
): Promise<Product> {
  const command = opts.command ?? 'serve';
  const env: NodeJS.ProcessEnv = {
    CODER_AIBRIDGE_OPENAI_BASE_URL: `${mockUrl}/v1`,
    CODER_AIBRIDGE_OPENAI_KEY: MOCK_KEY,
    CODER_AIBRIDGE_ANTHROPIC_BASE_URL: mockUrl,
    CODER_AIBRIDGE_ANTHROPIC_KEY: MOCK_KEY,
    ...(opts.pgUrl ? { CODER_PG_CONNECTION_URL: opts.pgUrl } : {}),
    ...(opts.dataDir ? { AIBRIDGE_DATA_DIR: opts.dataDir } : {}),
    ...opts.env,
  };
  const want = command === 'serve' ? ['http', 'proxy'] : ['http'];
  const { proc, addresses, dataDir } = await startAibridge(name, command, env, want);
  const token = /HTTPS_PROXY=http:\/\/coder:([^@\s]+)@|OPENAI_API_KEY=(\S+)/.exec(proc.output());
  const { readFileSync } = await import('node:fs');
  return {
    proc,
    token: token ? (token[1] ?? token[2]) : '',
    apiUrl: `http://${addresses.http}`,
    proxyPort: addresses.proxy ? Number(addresses.proxy.split(':').pop()) : undefined,
    caPem: command === 'serve' ? readFileSync(`${dataDir}/ca/ca.pem`, 'utf8') : undefined,
    metricsUrl: `http://${addresses.metrics}/metrics`,
  };
}
