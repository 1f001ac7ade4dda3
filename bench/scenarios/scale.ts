import { join } from 'node:path';
import { basicAuth, postShot, proxyClient } from '../lib/clients.js';
import { fmtRatio, ratio, type BenchOptions } from '../lib/context.js';
import { runLoad } from '../lib/load.js';
import { benchPgUrl, startMock, startProductAgainstMock } from '../lib/product.js';
import { freePort, root, startAibridge, startProc, tmp, waitFor } from '../lib/procs.js';
import type { Row, Scenario } from '../lib/report.js';
import { makeCa } from '../lib/tls.js';

/**
 * Scenario 8: the full chain with one and with two `aibridge server` processes behind one
 * `aibridge proxy`, on one PostgreSQL. A round-robin TCP balancer sits in front of the servers
 * in both cases, so the only difference is the second server.
 */
export async function scaleScenario(o: BenchOptions): Promise<Scenario[]> {
  const pgUrl = await benchPgUrl();
  if (!pgUrl) return [{ id: '8', title: 'Scale', rows: [], ratios: [], notes: ['PostgreSQL at 127.0.0.1:5432 is not reachable; scale-out needs it'] }];
  const mock = await startMock();
  const s1 = await startProductAgainstMock('aibridge-server-1', mock.url, { command: 'server', pgUrl, dataDir: tmp('s1') });
  const s2 = await startProductAgainstMock('aibridge-server-2', mock.url, { command: 'server', pgUrl, dataDir: tmp('s2') });
  const port = (u: string) => new URL(u).port;
  const lb = async (ports: string[]) => {
    const p = await freePort();
    const proc = startProc('tcp-lb', process.execPath, [join(root, 'bench', 'lib', 'tcp-lb.mjs'), String(p), ...ports]);
    await waitFor('tcp-lb', () => proc.output().includes('ready'), proc);
    return { proc, url: `http://127.0.0.1:${p}` };
  };
  const ca = makeCa();
  const rows: Row[] = [];
  for (const servers of [[s1], [s1, s2]]) {
    const balancer = await lb(servers.map((s) => port(s.apiUrl)));
    const proxy = await startAibridge('aibridge-proxy-scale', 'proxy', {
      CODER_ACCESS_URL: balancer.url,
      CODER_AIBRIDGE_PROXY_CERT_FILE: ca.certFile,
      CODER_AIBRIDGE_PROXY_KEY_FILE: ca.keyFile,
    }, ['proxy']);
    const client = proxyClient(Number(proxy.addresses.proxy.split(':').pop()), ca.certPem, basicAuth('coder', s1.token));
    const shot = postShot(client, 'https://api.openai.com/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${s1.token}` });
    try {
      const s = await runLoad(shot, { concurrency: o.concurrency, seconds: o.seconds, warmupSeconds: o.warmup });
      rows.push({ name: `${servers.length} server process${servers.length > 1 ? 'es' : ''} behind one proxy`, rps: s.rps, p50: s.p50, p99: s.p99, errors: s.errors });
    } catch (err) {
      rows.push({ name: `${servers.length} server processes`, note: `failed: ${(err as Error).message.slice(0, 160)}` });
    }
    await client.close().catch(() => {});
    await Promise.all([proxy.proc.stop(), balancer.proc.stop()]);
  }
  await Promise.all([s1.proc.stop(), s2.proc.stop(), mock.proc.stop()]);
  const x = ratio(rows[1]?.rps, rows[0]?.rps);
  return [
    {
      id: '8',
      title: 'Scale: full chain with 1 and 2 bridge processes behind one proxy, one PostgreSQL',
      rows,
      ratios: [{ text: `2 servers / 1 server throughput = ${fmtRatio(x)} (2 cores shared by load generator, proxy, servers and mock: not expected to be linear)`, ok: undefined }],
      notes: [],
    },
  ];
}
