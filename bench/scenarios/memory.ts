import { request } from 'undici';
import { basicAuth, proxyClient } from '../lib/clients.js';
import type { BenchOptions } from '../lib/context.js';
import { benchPgUrl, startMock, startProductAgainstMock } from '../lib/product.js';
import { rssBytes } from '../lib/procs.js';
import type { Scenario } from '../lib/report.js';

/**
 * Scenario 6: idle streams held open through proxy and bridge (one `serve` process): the
 * process's resident memory per stream. Each stream gets its response headers and first chunk,
 * then the mock waits ten minutes before the next one.
 */
export async function memoryScenario(o: BenchOptions): Promise<Scenario[]> {
  const streams = o.quick ? 500 : 2000;
  const mock = await startMock();
  // PostgreSQL when it answers: the embedded database's WebAssembly heap would swamp the figure.
  const pgUrl = await benchPgUrl();
  const product = await startProductAgainstMock('aibridge-mem', mock.url, { pgUrl });
  const dispatcher = proxyClient(product.proxyPort!, product.caPem, basicAuth('coder', product.token), streams + 16);
  const ac = new AbortController();
  const open = async () => {
    const res = await request('https://api.openai.com/v1/chat/completions', {
      dispatcher,
      method: 'POST',
      signal: ac.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${product.token}`, 'x-mock-chunk-delay-ms': '600000', 'x-mock-chunks': '3' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'idle' }], stream: true }),
    });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    // Wait for the first chunk, then leave the stream idle.
    await new Promise<void>((resolve, reject) => {
      res.body.once('data', () => resolve());
      res.body.once('error', reject);
    });
    return res;
  };
  // Warm up: pools, caches, JIT, one leaf certificate.
  const warm = await Promise.all(Array.from({ length: 32 }, open));
  for (const r of warm) r.body.destroy();
  // Let the process settle, then take the lowest of a few readings as the baseline.
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 400));
    readings.push(rssBytes(product.proc.child.pid!));
  }
  const before = Math.min(...readings);
  const t0 = performance.now();
  const held: Awaited<ReturnType<typeof open>>[] = [];
  let failed = 0;
  for (let i = 0; i < streams; i += 100) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(100, streams - i) }, open));
    for (const b of batch) b.status === 'fulfilled' ? held.push(b.value) : failed++;
  }
  const openSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssBytes(product.proc.child.pid!);
  const perStream = (after - before) / Math.max(1, held.length);
  ac.abort();
  for (const r of held) r.body.destroy();
  await dispatcher.close().catch(() => {});
  await Promise.all([product.proc.stop(), mock.proc.stop()]);
  return [
    {
      id: '6',
      title: `Memory: ${streams} concurrent idle streams through proxy and bridge (one serve process)`,
      rows: [
        { name: 'RSS before', value: `${(before / 2 ** 20).toFixed(1)} MiB` },
        { name: `RSS with ${held.length} streams open`, value: `${(after / 2 ** 20).toFixed(1)} MiB`, errors: failed },
        { name: 'RSS per idle stream', value: `${(perStream / 1024).toFixed(1)} KiB` },
        { name: 'time to open them', value: `${openSeconds.toFixed(1)} s` },
      ],
      ratios: [{ text: `${(perStream / 1024).toFixed(1)} KiB per idle stream (target ≤ 50 KiB)`, ok: perStream <= 50 * 1024 && failed === 0 }],
      notes: [
        'each stream holds a client TLS socket and an HTTP exchange in the proxy, a bridge request and an upstream request',
        `recording to ${pgUrl ? 'PostgreSQL' : 'embedded PGlite'}`,
      ],
    },
  ];
}
