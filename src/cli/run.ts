import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBridge } from '../bridge/index.js';
import { loadOrCreateCa, type CertAuthority } from '../certs/index.js';
import type { LoadedConfig } from '../config/index.js';
import { bootstrapFirstUser, createControlPlane, type BootstrapResult } from '../controlplane/index.js';
import { authenticateApiKey, cachedTokenCheck, migrateUp, openDatabase, type Database, type TokenCheck } from '../db/index.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { startProxy, validateProxyConfig, type RunningProxy } from '../proxy/index.js';
import { healthModule, startApiServer, startMetricsServer, type ApiServer } from '../server/index.js';
import type { Io } from './common.js';
import { remoteTokenCheck } from './remote-token-check.js';

export interface RunningProduct {
  db?: Database;
  api?: ApiServer;
  proxy?: RunningProxy;
  metricsAddress?: string;
  ca?: CertAuthority;
  bootstrap?: BootstrapResult;
  addresses: Record<string, string>;
  close(): Promise<void>;
}

export interface Parts {
  api: boolean;
  proxy: boolean;
}

/**
 * Starts the parts of the product in one process: `serve` runs both, `server` the API server
 * (bridge and control plane), `proxy` the proxy alone, reaching the server at the access URL.
 */
export async function startProduct(loaded: LoadedConfig, parts: Parts, log: Logger, io?: Io): Promise<RunningProduct> {
  const { config } = loaded;
  const runProxy = parts.proxy && (config.proxy.enabled || !parts.api);
  if (runProxy) {
    const problems = validateProxyConfig(config);
    if (problems.length) throw new ConfigError(problems);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const out: RunningProduct = {
    addresses: {},
    async close() {
      for (const c of closers.reverse()) await c().catch((err) => log.warn({ err }, 'shutdown step failed'));
    },
  };
  try {
    let tokenCheck: TokenCheck;
    if (parts.api) {
      const db = await openDatabase(config);
      out.db = db;
      closers.push(() => db.close());
      const applied = await migrateUp(db);
      if (applied.length) log.info({ versions: applied }, 'migrations applied');
      out.bootstrap = await bootstrapFirstUser(db);
      tokenCheck = cachedTokenCheck((t) => authenticateApiKey(db, t), config.proxy.authCacheTtl);
    } else {
      if (!config.accessUrl) throw new ConfigError(['accessUrl: `aibridge proxy` needs --access-url or CODER_ACCESS_URL (the URL of `aibridge server`)']);
      tokenCheck = cachedTokenCheck(remoteTokenCheck(config.accessUrl), config.proxy.authCacheTtl);
    }
    if (runProxy || (parts.api && config.proxy.enabled)) out.ca = await loadOrCreateCa(config, log);
    if (parts.api) {
      const db = out.db!;
      const api = await startApiServer({
        address: config.http.address,
        log,
        modules: [
          healthModule(db, tokenCheck),
          createControlPlane({ config, db, log, tokenCheck }),
          createBridge({ config, db, log, tokenCheck, caCertPem: config.proxy.enabled ? out.ca?.certPem : undefined }),
        ],
      });
      out.api = api;
      out.addresses.http = api.address;
      closers.push(() => api.close(config.shutdownGracePeriod));
      log.info({ address: api.address }, 'API server listening');
    }
    if (runProxy) {
      const bridgeUrl = parts.api ? out.api!.url : config.accessUrl;
      const proxy = await startProxy({ config, ca: out.ca!, bridgeUrl, tokenCheck, log });
      out.proxy = proxy;
      out.addresses.proxy = proxy.address;
      closers.push(() => proxy.close(config.shutdownGracePeriod));
      log.info({ address: proxy.address }, 'proxy listening');
    }
    if (config.prometheus.enable && config.prometheus.address) {
      const m = await startMetricsServer(config.prometheus.address);
      out.metricsAddress = m.address;
      out.addresses.metrics = m.address;
      closers.push(() => m.close());
      log.info({ address: m.address }, 'metrics listening');
    }
    writeFileSync(join(config.dataDir, 'addresses.json'), JSON.stringify(out.addresses, null, 2) + '\n');
    if (out.bootstrap && io) printBootstrap(io, out);
    return out;
  } catch (err) {
    await out.close();
    throw err;
  }
}

/** The lines a user pastes, printed once when the first admin is created. */
export function printBootstrap(io: Io, p: RunningProduct): void {
  const b = p.bootstrap!;
  const proxyPort = p.addresses.proxy ? p.addresses.proxy.replace(/^.*:/, '') : undefined;
  const ca = p.ca ? resolve(p.ca.certPath) : undefined;
  const lines = [
    '',
    'aibridge: created the first user. These credentials are shown once; keep them.',
    `  user:     ${b.username} (${b.email}), password ${b.password}`,
    `  token:    ${b.token}`,
    '',
  ];
  if (proxyPort && ca) {
    lines.push(
      'Point AI clients at the proxy (in a workspace, use the proxy host instead of 127.0.0.1):',
      `  export HTTPS_PROXY=http://coder:${b.token}@127.0.0.1:${proxyPort}`,
      `  CA certificate: ${ca}`,
      `  Node.js, Claude Code:  export NODE_EXTRA_CA_CERTS=${ca}`,
      `  Codex:                 export CODEX_CA_CERTIFICATE=${ca}   (or SSL_CERT_FILE=${ca})`,
      `  Python (openai, anthropic, requests):  export REQUESTS_CA_BUNDLE=${ca} SSL_CERT_FILE=${ca}`,
      `  curl:                  curl --proxy http://coder:${b.token}@127.0.0.1:${proxyPort} --cacert ${ca} https://api.openai.com/v1/models`,
      '',
    );
  }
  if (p.api) {
    lines.push(
      'Or use the bridge as a base URL:',
      `  export OPENAI_BASE_URL=${p.api.url}/api/v2/aibridge/openai/v1 OPENAI_API_KEY=${b.token}`,
      `  export ANTHROPIC_BASE_URL=${p.api.url}/api/v2/aibridge/anthropic ANTHROPIC_API_KEY=${b.token}`,
      '',
    );
  }
  for (const l of lines) io.out(l);
}
