import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBridge, type Bridge } from '../../src/bridge/index.js';
import { startMockUpstream, type MockUpstream } from '../../src/bridge/mock-upstream/index.js';
import { testConfig } from '../../src/config/index.js';
import type { Database } from '../../src/db/index.js';
import { authenticateApiKey, cachedTokenCheck, insertApiKey, type TokenCheck } from '../../src/db/queries/api-keys.js';
import { insertUser } from '../../src/db/queries/users.js';
import { startApiServer, type ApiServer } from '../../src/server/api-server.js';
import { testLog } from '../helpers/log.js';

export const PROVIDER_KEY = 'sk-test-provider-key-0123456789';

export interface Stack {
  api: ApiServer;
  bridge: Bridge;
  mock: MockUpstream;
  dataDir: string;
  tokenCheck: TokenCheck;
  /** `<api>/api/v2/aibridge/openai/v1` */
  openaiBase: string;
  /** `<api>/api/v2/aibridge/anthropic` */
  anthropicBase: string;
  close(): Promise<void>;
}

/**
 * The API server with a bridge in front of the mock upstream (which demands PROVIDER_KEY), on
 * real sockets, recording to `db`. `config` overrides settings by dotted key.
 */
export async function startStack(db: Database, config: Record<string, unknown> = {}, opts: { mock?: MockUpstream; tokenCheck?: TokenCheck; caCertPem?: string } = {}): Promise<Stack> {
  const mock = opts.mock ?? (await startMockUpstream({ key: PROVIDER_KEY, keep: 1000 }));
  const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-bridge-test-'));
  const cfg = testConfig({
    dataDir,
    'aibridge.openai.baseUrl': `${mock.url}/v1`,
    'aibridge.openai.key': PROVIDER_KEY,
    'aibridge.anthropic.baseUrl': mock.url,
    'aibridge.anthropic.key': PROVIDER_KEY,
    'aibridge.recording.flushInterval': 20,
    ...config,
  });
  const tokenCheck = opts.tokenCheck ?? cachedTokenCheck((t) => authenticateApiKey(db, t), 30_000);
  const bridge = createBridge({ config: cfg, db, log: testLog, tokenCheck, caCertPem: opts.caCertPem });
  const api = await startApiServer({ address: '127.0.0.1:0', log: testLog, modules: [bridge] });
  return {
    api,
    bridge,
    mock,
    dataDir,
    tokenCheck,
    openaiBase: `${api.url}/api/v2/aibridge/openai/v1`,
    anthropicBase: `${api.url}/api/v2/aibridge/anthropic`,
    async close() {
      await api.close(100);
      if (!opts.mock) await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let n = 0;

/** A user with an API token. */
export async function newUser(db: Database, roles: string[] = []): Promise<{ id: string; username: string; token: string; keyId: string }> {
  const username = `user${process.pid}x${++n}x${Math.floor(Math.random() * 1e6)}`;
  const u = await insertUser(db, { username, email: `${username}@example.com`, roles });
  const k = await insertApiKey(db, { userId: u.id, lifetimeSeconds: 3600 });
  return { id: u.id, username, token: k.token, keyId: k.id };
}
