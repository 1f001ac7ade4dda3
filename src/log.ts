import { pino, type Logger } from 'pino';

/**
 * Paths redacted from every log line. Tokens, keys and credentials never reach logs, whatever
 * module logs them: headers objects (`req.headers`, `headers`), and fields named for secrets.
 */
export const redactPaths = [
  'authorization',
  'cookie',
  '*.authorization',
  '*.cookie',
  '*["proxy-authorization"]',
  '*["x-api-key"]',
  '*["x-coder-token"]',
  '*["x-coder-ai-governance-token"]',
  '*["coder-session-token"]',
  '*["set-cookie"]',
  '*.*.authorization',
  '*.*.cookie',
  '*.*["proxy-authorization"]',
  '*.*["x-api-key"]',
  '*.*["x-coder-token"]',
  '*.*["x-coder-ai-governance-token"]',
  '*.*["coder-session-token"]',
  'token',
  'key',
  'password',
  'secret',
  '*.token',
  '*.key',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.sessionToken',
];

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.AIBRIDGE_LOG_LEVEL ?? 'info';
  return pino(
    { level, redact: { paths: redactPaths, censor: '[REDACTED]' }, base: { pid: process.pid } },
    opts.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** The process-wide root logger; modules take `log.child({ module })`. */
export let log: Logger = createLogger({ level: process.env.VITEST ? 'silent' : undefined });

export function setRootLogger(l: Logger): void {
  log = l;
}

export type { Logger };
