import { Pool } from 'undici';

/**
 * One keep-alive undici Pool per upstream origin, made on first use. Timeouts apply to the
 * wait for response headers and to each wait between body chunks (a stream may last longer
 * than the timeout as long as it keeps talking).
 */
export class Upstreams {
  private pools = new Map<string, Pool>();

  constructor(private readonly opts: { timeout: number; connectTimeout?: number }) {}

  pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        headersTimeout: this.opts.timeout,
        bodyTimeout: this.opts.timeout,
        connectTimeout: this.opts.connectTimeout ?? 10_000,
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 60_000,
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

/** Transport errors that mean "the upstream took too long" (504) rather than "unreachable" (502). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export function isTimeout(err: unknown): boolean {
  return TIMEOUT_CODES.has((err as { code?: string })?.code ?? '');
}

/** A short, secret-free name for a transport error, for error messages. */
export function errorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code ?? 'error';
}
