import { X509Certificate } from 'node:crypto';
import { createServer, connect, type SecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLeafIssuer, generateCa, LeafCache, type CertAuthority, type Leaf, type LeafIssuer } from '../../src/certs/index.js';
import { registry } from '../../src/metrics/index.js';

async function counter(name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values as { value: number }[] | undefined)?.reduce((a, v) => a + v.value, 0) ?? 0;
}

/** The certificate a context serves, read through a real handshake. */
async function servedCert(ctx: SecureContext, ca: string, host: string): Promise<X509Certificate> {
  const server = createServer({ SNICallback: (_n, cb) => cb(null, ctx) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise((resolve, reject) => {
      const s = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername: host, ca }, () => {
        resolve(s.getPeerX509Certificate()!);
        s.destroy();
      });
      s.on('error', reject);
    });
  } finally {
    server.close();
  }
}

/** An issuer that counts its mintings. */
function counting(issuer: LeafIssuer): LeafIssuer & { calls: string[] } {
  const calls: string[] = [];
  return {
    keyPem: issuer.keyPem,
    calls,
    mint(host: string, now?: Date): Promise<Leaf> {
      calls.push(host);
      return issuer.mint(host, now);
    },
  };
}

describe('LeafCache', () => {
  let ca: CertAuthority;
  let issuer: LeafIssuer;
  beforeAll(async () => {
    ca = { ...(await generateCa()), certPath: 'unused' };
    issuer = await createLeafIssuer(ca);
  });

  it('shares one minting among 50 concurrent first requests for a host', async () => {
    const c = counting(issuer);
    const cache = new LeafCache(c);
    const misses = await counter('coder_aibridgeproxyd_cert_cache_misses_total');
    const mints = await counter('coder_aibridgeproxyd_cert_mint_duration_seconds');
    const ctxs = await Promise.all(Array.from({ length: 50 }, () => cache.get('api.openai.com')));
    expect(new Set(ctxs).size).toBe(1);
    expect(c.calls).toEqual(['api.openai.com']);
    expect(cache.minted).toBe(1);
    expect((await counter('coder_aibridgeproxyd_cert_cache_misses_total')) - misses).toBe(1);
    expect(await counter('coder_aibridgeproxyd_cert_mint_duration_seconds')).toBeGreaterThan(mints);
  });

  it('serves a context whose certificate is the host leaf chained to the CA', async () => {
    const cache = new LeafCache(issuer);
    const cert = await servedCert(await cache.get('api.anthropic.com'), ca.certPem, 'api.anthropic.com');
    expect(cert.subjectAltName).toBe('DNS:api.anthropic.com');
  });

  it('answers from the cache afterwards and counts hits', async () => {
    const c = counting(issuer);
    const cache = new LeafCache(c);
    const first = await cache.get('h.example');
    const hits = await counter('coder_aibridgeproxyd_cert_cache_hits_total');
    expect(cache.peek('h.example')).toBe(first);
    expect(await cache.get('h.example')).toBe(first);
    expect(c.calls).toEqual(['h.example']);
    expect((await counter('coder_aibridgeproxyd_cert_cache_hits_total')) - hits).toBe(2);
  });

  it('mints again once the TTL has passed', async () => {
    let now = Date.now();
    const c = counting(issuer);
    const cache = new LeafCache(c, { ttlMs: 60_000, now: () => now });
    const first = await cache.get('ttl.example');
    now += 59_000;
    expect(await cache.get('ttl.example')).toBe(first);
    now += 2_000;
    expect(cache.peek('ttl.example')).toBeUndefined();
    const second = await cache.get('ttl.example');
    expect(second).not.toBe(first);
    expect(c.calls).toEqual(['ttl.example', 'ttl.example']);
  });

  it('keeps the TTL inside the leaf validity', async () => {
    let now = Date.now();
    const c = counting(issuer);
    // A TTL longer than the leaf's year of validity is cut short of its notAfter.
    const cache = new LeafCache(c, { ttlMs: 400 * 86400_000, now: () => now });
    await cache.get('long.example');
    now += 365 * 86400_000;
    expect(cache.peek('long.example')).toBeUndefined();
  });

  it('evicts the least recently used host beyond its bound', async () => {
    const c = counting(issuer);
    const cache = new LeafCache(c, { max: 2 });
    await cache.get('a.example');
    await cache.get('b.example');
    await cache.get('a.example');
    await cache.get('c.example');
    expect(cache.peek('b.example')).toBeUndefined();
    expect(cache.peek('a.example')).toBeDefined();
    expect(c.calls).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('lets the next request retry after a failed minting', async () => {
    let fail = true;
    const flaky: LeafIssuer = {
      keyPem: issuer.keyPem,
      mint: (host, now) => (fail ? Promise.reject(new Error('boom')) : issuer.mint(host, now)),
    };
    const cache = new LeafCache(flaky);
    await expect(cache.get('retry.example')).rejects.toThrow('boom');
    fail = false;
    await expect(cache.get('retry.example')).resolves.toBeDefined();
  });
});
