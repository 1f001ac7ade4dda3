import { createSecureContext, type SecureContext } from 'node:tls';
import { LRUCache } from 'lru-cache';
import type { LeafIssuer } from './leaf.js';
import { certCacheHits, certCacheMisses, certMintDuration } from './metrics.js';

export interface LeafCacheOptions {
  /** Hosts kept (the allowlist is small; this only bounds memory). */
  max?: number;
  /** How long a leaf is served before a fresh one is minted; kept well inside its validity. */
  ttlMs?: number;
  /** Clock in ms (for tests); defaults to performance.now-backed time. */
  now?: () => number;
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
/** Margin kept between a cache entry's expiry and its certificate's notAfter. */
const VALIDITY_MARGIN_MS = 60 * 60 * 1000;

/**
 * TLS contexts of minted leaves, by host. Bounded (LRU) with a TTL inside the leaves'
 * validity; concurrent first requests for one host share one minting (single flight).
 */
export class LeafCache {
  /** Leaves minted since start (what single flight keeps at one per host). */
  minted = 0;
  private readonly cache: LRUCache<string, SecureContext>;
  private readonly pending = new Map<string, Promise<SecureContext>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly issuer: LeafIssuer,
    opts: LeafCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.now = opts.now ?? Date.now;
    this.cache = new LRUCache<string, SecureContext>({
      max: opts.max ?? 1000,
      ttl: this.ttlMs,
      // Read the clock on every lookup (the default caches it for 1 ms).
      ttlResolution: 0,
      ...(opts.now ? { perf: { now: opts.now } } : {}),
    });
  }

  /** The cached context for a host, without minting. */
  peek(host: string): SecureContext | undefined {
    const ctx = this.cache.get(host);
    if (ctx) certCacheHits.inc();
    return ctx;
  }

  /** The context for a host: cached, joined from a minting in flight, or minted now. */
  get(host: string): Promise<SecureContext> {
    const cached = this.peek(host);
    if (cached) return Promise.resolve(cached);
    const inflight = this.pending.get(host);
    if (inflight) {
      certCacheHits.inc();
      return inflight;
    }
    certCacheMisses.inc();
    const p = this.mint(host).finally(() => this.pending.delete(host));
    this.pending.set(host, p);
    return p;
  }

  private async mint(host: string): Promise<SecureContext> {
    const end = certMintDuration.startTimer();
    const leaf = await this.issuer.mint(host, new Date(this.now()));
    const ctx = createSecureContext({ key: this.issuer.keyPem, cert: leaf.chainPem, minVersion: 'TLSv1.2' });
    end();
    this.minted++;
    const ttl = Math.min(this.ttlMs, leaf.notAfter.getTime() - this.now() - VALIDITY_MARGIN_MS);
    if (ttl > 0) this.cache.set(host, ctx, { ttl });
    return ctx;
  }

  clear(): void {
    this.cache.clear();
  }
}
