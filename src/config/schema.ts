import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * Every setting the product reads, in one table. A setting has a dotted key (its path in the
 * YAML file), the environment variables that set it (Coder's names first; the
 * `CODER_AI_GATEWAY_*` spellings of `CODER_AIBRIDGE_*` names are added automatically), an
 * optional CLI flag, a schema that parses the raw text, a default, and whether it is secret
 * (secrets are redacted wherever config is printed or reported).
 */
export interface Setting {
  key: string;
  env: string[];
  flag?: string;
  schema: z.ZodType;
  default: unknown;
  secret?: boolean;
  description: string;
}

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 30s, 10m, 1h or 60d' });
    return z.NEVER;
  }
  return ms;
});

const bool = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off', ''].includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false' });
  return z.NEVER;
});

const int = (min: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (!Number.isInteger(n) || n < min) {
      ctx.addIssue({ code: 'custom', message: `expected an integer >= ${min}` });
      return z.NEVER;
    }
    return n;
  });

const str = z.union([z.string(), z.number()]).transform((v) => String(v));

/** A host:port listen address; port 0 picks a free port. An empty string disables the listener. */
const address = str.refine((v) => v === '' || /^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/.test(v), {
  message: 'expected HOST:PORT (port 0 picks a free port), or empty to disable',
});

const url = str.refine(
  (v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'expected an http:// or https:// URL' },
);

const pgUrl = str.refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), {
  message: 'expected a postgres:// URL',
});

/** A comma-separated list (env, flag) or a YAML sequence. */
const list = z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).transform((v) =>
  (Array.isArray(v) ? v.map(String) : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''),
);

const ports = list.transform((items, ctx) => {
  const out: number[] = [];
  for (const p of items) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `invalid port "${p}": expected 1-65535` });
      return z.NEVER;
    }
    out.push(n);
  }
  return out;
});

/** `auto` (max open / 3) or an integer >= 0. */
const maxIdle = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'string' && v.trim().toLowerCase() === 'auto') return 'auto' as const;
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: 'expected "auto" or an integer >= 0' });
    return z.NEVER;
  }
  return n;
});

const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export const settings: Setting[] = [
  // Process and listeners.
  { key: 'dataDir', env: ['AIBRIDGE_DATA_DIR'], flag: 'data-dir', schema: str, default: './.aibridge', description: 'Directory for the embedded database, the generated CA and the recorder spool.' },
  { key: 'accessUrl', env: ['CODER_ACCESS_URL'], flag: 'access-url', schema: url, default: '', description: 'URL at which the API server (bridge and control plane) is reached. `aibridge proxy` forwards decrypted requests there; empty means the local HTTP address.' },
  { key: 'http.address', env: ['CODER_HTTP_ADDRESS'], flag: 'http-address', schema: address, default: '127.0.0.1:3000', description: 'Listen address of the API server (bridge and control plane).' },
  { key: 'prometheus.enable', env: ['CODER_PROMETHEUS_ENABLE'], schema: bool, default: true, description: 'Serve Prometheus metrics.' },
  { key: 'prometheus.address', env: ['CODER_PROMETHEUS_ADDRESS'], flag: 'prometheus-address', schema: address, default: '127.0.0.1:2112', description: 'Listen address of the Prometheus metrics endpoint (/metrics).' },
  { key: 'log.level', env: ['AIBRIDGE_LOG_LEVEL'], flag: 'log-level', schema: logLevel, default: 'info', description: 'Log level: trace, debug, info, warn, error, fatal or silent.' },
  { key: 'shutdownGracePeriod', env: ['AIBRIDGE_SHUTDOWN_GRACE_PERIOD'], schema: duration, default: '30s', description: 'How long SIGTERM waits for in-flight requests before closing them.' },

  // Database.
  { key: 'pg.connectionUrl', env: ['CODER_PG_CONNECTION_URL'], flag: 'pg-connection-url', schema: pgUrl, default: '', secret: true, description: 'PostgreSQL URL. Empty runs the embedded PGlite database in the data directory. The schema is the connection\'s search_path (e.g. ?options=-c%20search_path%3Daibridge).' },
  { key: 'pg.connMaxOpen', env: ['CODER_PG_CONN_MAX_OPEN'], schema: int(1), default: 10, description: 'Maximum open PostgreSQL connections (>= 1).' },
  { key: 'pg.connMaxIdle', env: ['CODER_PG_CONN_MAX_IDLE'], schema: maxIdle, default: 'auto', description: 'Maximum idle PostgreSQL connections: "auto" (max open / 3) or an integer >= 0 (0 keeps none idle).' },

  // Bridge.
  { key: 'aibridge.enabled', env: ['CODER_AIBRIDGE_ENABLED'], schema: bool, default: true, description: 'Serve the AI bridge under /api/v2/aibridge/{provider}/.' },
  { key: 'aibridge.openai.baseUrl', env: ['CODER_AIBRIDGE_OPENAI_BASE_URL'], schema: url, default: 'https://api.openai.com/v1/', description: 'OpenAI base URL.' },
  { key: 'aibridge.openai.key', env: ['CODER_AIBRIDGE_OPENAI_KEY'], schema: str, default: '', secret: true, description: 'The company\'s OpenAI API key (centralized mode).' },
  { key: 'aibridge.anthropic.baseUrl', env: ['CODER_AIBRIDGE_ANTHROPIC_BASE_URL'], schema: url, default: 'https://api.anthropic.com/', description: 'Anthropic base URL.' },
  { key: 'aibridge.anthropic.key', env: ['CODER_AIBRIDGE_ANTHROPIC_KEY'], schema: str, default: '', secret: true, description: 'The company\'s Anthropic API key (centralized mode).' },
  { key: 'aibridge.allowByok', env: ['CODER_AIBRIDGE_ALLOW_BYOK'], schema: bool, default: false, description: 'Let users send their own provider key (BYOK) alongside X-Coder-Token.' },
  { key: 'aibridge.upstreamTimeout', env: ['CODER_AIBRIDGE_UPSTREAM_TIMEOUT'], schema: duration, default: '600s', description: 'Timeout for one upstream provider request.' },
  { key: 'aibridge.maxConcurrency', env: ['CODER_AIBRIDGE_MAX_CONCURRENCY'], schema: int(0), default: 0, description: 'Maximum concurrent bridged requests (0 = unlimited); over it the bridge answers 503.' },
  { key: 'aibridge.rateLimit', env: ['CODER_AIBRIDGE_RATE_LIMIT'], schema: int(0), default: 0, description: 'Requests per second per token (0 = unlimited); over it the bridge answers 429 with Retry-After.' },
  { key: 'aibridge.retention', env: ['CODER_AIBRIDGE_RETENTION'], schema: duration, default: '60d', description: 'How long interception records are kept (0 = forever).' },
  { key: 'aibridge.recording.enabled', env: ['AIBRIDGE_RECORDING_ENABLED'], schema: bool, default: true, description: 'Record interceptions, prompts, token usage and tool calls.' },
  { key: 'aibridge.recording.queueSize', env: ['AIBRIDGE_RECORDING_QUEUE_SIZE'], schema: int(1), default: 10000, description: 'Records held in memory before they spill to the disk spool.' },
  { key: 'aibridge.recording.batchSize', env: ['AIBRIDGE_RECORDING_BATCH_SIZE'], schema: int(1), default: 200, description: 'Records written per database round trip.' },
  { key: 'aibridge.recording.flushInterval', env: ['AIBRIDGE_RECORDING_FLUSH_INTERVAL'], schema: duration, default: '200ms', description: 'Longest a record waits in memory before it is written.' },
  { key: 'aibridge.circuitBreaker.enabled', env: ['CODER_AIBRIDGE_CIRCUIT_BREAKER_ENABLED'], schema: bool, default: false, description: 'Open a circuit per provider, endpoint and model after consecutive upstream failures (429, 503, 504; 529 for Anthropic).' },
  { key: 'aibridge.circuitBreaker.failureThreshold', env: ['CODER_AIBRIDGE_CIRCUIT_BREAKER_FAILURE_THRESHOLD'], schema: int(1), default: 5, description: 'Consecutive failures that open the circuit.' },
  { key: 'aibridge.circuitBreaker.interval', env: ['CODER_AIBRIDGE_CIRCUIT_BREAKER_INTERVAL'], schema: duration, default: '10s', description: 'Window after which failure counts of a closed circuit reset.' },
  { key: 'aibridge.circuitBreaker.timeout', env: ['CODER_AIBRIDGE_CIRCUIT_BREAKER_TIMEOUT'], schema: duration, default: '30s', description: 'How long an open circuit rejects before it lets trial requests through (half-open).' },
  { key: 'aibridge.circuitBreaker.maxRequests', env: ['CODER_AIBRIDGE_CIRCUIT_BREAKER_MAX_REQUESTS'], schema: int(1), default: 3, description: 'Requests admitted while half-open.' },

  // Proxy.
  { key: 'proxy.enabled', env: ['CODER_AIBRIDGE_PROXY_ENABLED'], schema: bool, default: true, description: 'Run the MITM proxy (with `serve`; `aibridge proxy` always runs it).' },
  { key: 'proxy.listenAddr', env: ['CODER_AIBRIDGE_PROXY_LISTEN_ADDR'], flag: 'proxy-listen-addr', schema: address, default: '127.0.0.1:8888', description: 'Listen address of the proxy.' },
  { key: 'proxy.tlsCertFile', env: ['CODER_AIBRIDGE_PROXY_TLS_CERT_FILE'], schema: str, default: '', description: 'Serve the proxy listener itself over TLS with this certificate (with tlsKeyFile).' },
  { key: 'proxy.tlsKeyFile', env: ['CODER_AIBRIDGE_PROXY_TLS_KEY_FILE'], schema: str, default: '', description: 'Key for proxy.tlsCertFile.' },
  { key: 'proxy.certFile', env: ['CODER_AIBRIDGE_PROXY_CERT_FILE'], schema: str, default: '', description: 'MITM CA certificate (PEM). Empty: generate one in the data directory on first start.' },
  { key: 'proxy.keyFile', env: ['CODER_AIBRIDGE_PROXY_KEY_FILE'], schema: str, default: '', description: 'MITM CA private key (PEM, mode 0600).' },
  { key: 'proxy.domainAllowlist', env: ['CODER_AIBRIDGE_PROXY_DOMAIN_ALLOWLIST'], schema: list, default: 'api.anthropic.com,api.openai.com', description: 'Hosts (domain or domain:port) whose traffic is decrypted and sent to the bridge; every other host is tunneled.' },
  { key: 'proxy.providerHosts', env: ['CODER_AIBRIDGE_PROXY_PROVIDER_HOSTS'], schema: list, default: '', description: 'More hosts that belong to a provider, as host=provider (e.g. myres.openai.azure.com=openai), so they can be allowlisted; the provider base URLs\' hosts are added automatically.' },
  { key: 'proxy.allowedPorts', env: ['CODER_AIBRIDGE_PROXY_ALLOWED_PORTS'], schema: ports, default: '80,443', description: 'Ports the proxy connects to; others are refused.' },
  { key: 'proxy.upstream', env: ['CODER_AIBRIDGE_PROXY_UPSTREAM'], schema: str, default: '', secret: true, description: 'Upstream proxy for tunneled traffic: http(s)://[user:pass@]host:port.' },
  { key: 'proxy.upstreamCa', env: ['CODER_AIBRIDGE_PROXY_UPSTREAM_CA'], schema: str, default: '', description: 'PEM file of the CA that signed an https:// upstream proxy\'s certificate.' },
  { key: 'proxy.allowedPrivateCidrs', env: ['CODER_AIBRIDGE_PROXY_ALLOWED_PRIVATE_CIDRS'], schema: list, default: '', description: 'Private ranges that tunnels may reach (all private ranges are refused otherwise).' },
  { key: 'proxy.allowUnauthenticatedTunnels', env: ['CODER_AIBRIDGE_PROXY_ALLOW_UNAUTHENTICATED_TUNNELS'], schema: bool, default: false, description: 'Let tunnels to non-allowlisted hosts through without proxy credentials, as Coder does.' },
  { key: 'proxy.maxConnections', env: ['CODER_AIBRIDGE_PROXY_MAX_CONNECTIONS'], schema: int(0), default: 10000, description: 'Cap on open client connections to the proxy (0 = unlimited).' },
  { key: 'proxy.headerTimeout', env: ['CODER_AIBRIDGE_PROXY_HEADER_TIMEOUT'], schema: duration, default: '10s', description: 'Time a client has to send request headers.' },
  { key: 'proxy.idleTimeout', env: ['CODER_AIBRIDGE_PROXY_IDLE_TIMEOUT'], schema: duration, default: '120s', description: 'Idle keep-alive connections are closed after this.' },
  { key: 'proxy.authCacheTtl', env: ['CODER_AIBRIDGE_PROXY_AUTH_CACHE_TTL'], schema: duration, default: '30s', description: 'How long a token verdict is cached.' },

  // Control plane.
  { key: 'disableWorkspaceSharing', env: ['CODER_DISABLE_WORKSPACE_SHARING'], schema: bool, default: false, description: 'Disable workspace sharing deployment-wide (ACLs are ignored).' },
  { key: 'license', env: ['CODER_LICENSE'], schema: str, default: '', secret: true, description: 'License: a signed JWT, or the path of a file holding one.' },
  { key: 'licensePublicKey', env: ['AIBRIDGE_LICENSE_PUBLIC_KEY'], schema: str, default: '', description: 'Ed25519 public key (PEM, or the path of a PEM file) that verifies license JWTs.' },
];

/** Returns the env names of a setting, including the CODER_AI_GATEWAY_* aliases. */
export function envNames(s: Setting): string[] {
  const out = [...s.env];
  for (const e of s.env) {
    if (e.startsWith('CODER_AIBRIDGE_')) out.push(e.replace('CODER_AIBRIDGE_', 'CODER_AI_GATEWAY_'));
  }
  return out;
}

export interface Config {
  dataDir: string;
  accessUrl: string;
  http: { address: string };
  prometheus: { enable: boolean; address: string };
  log: { level: z.infer<typeof logLevel> };
  shutdownGracePeriod: number;
  pg: { connectionUrl: string; connMaxOpen: number; connMaxIdle: number | 'auto' };
  aibridge: {
    enabled: boolean;
    openai: { baseUrl: string; key: string };
    anthropic: { baseUrl: string; key: string };
    allowByok: boolean;
    upstreamTimeout: number;
    maxConcurrency: number;
    rateLimit: number;
    retention: number;
    recording: { enabled: boolean; queueSize: number; batchSize: number; flushInterval: number };
    circuitBreaker: {
      enabled: boolean;
      failureThreshold: number;
      interval: number;
      timeout: number;
      maxRequests: number;
    };
  };
  proxy: {
    enabled: boolean;
    listenAddr: string;
    tlsCertFile: string;
    tlsKeyFile: string;
    certFile: string;
    keyFile: string;
    domainAllowlist: string[];
    providerHosts: string[];
    allowedPorts: number[];
    upstream: string;
    upstreamCa: string;
    allowedPrivateCidrs: string[];
    allowUnauthenticatedTunnels: boolean;
    maxConnections: number;
    headerTimeout: number;
    idleTimeout: number;
    authCacheTtl: number;
  };
  disableWorkspaceSharing: boolean;
  license: string;
  licensePublicKey: string;
}

/** The effective max idle connections: "auto" is max open / 3 (integer division). */
export function effectiveMaxIdle(pg: Config['pg']): number {
  return pg.connMaxIdle === 'auto' ? Math.floor(pg.connMaxOpen / 3) : pg.connMaxIdle;
}
