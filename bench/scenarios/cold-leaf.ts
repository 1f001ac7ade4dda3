import { request } from 'undici';
import { basicAuth, proxyClient } from '../lib/clients.js';
import { fmtRatio, ratio, type BenchOptions } from '../lib/context.js';
import { startBackend } from '../lib/backend.js';
import { hasCommand, startHttpMitmProxy, startMitmproxy } from '../lib/peers.js';
import { startAibridge, waitFor, type Proc } from '../lib/procs.js';
import type { Row, Scenario } from '../lib/report.js';
import { median, percentile } from '../lib/stats.js';
import { makeCa } from '../lib/tls.js';

/** Time to the first response through a proxy for each of `hosts`, one after another (ms). */
async function coldTimes(proxyPort: number, ca: string, hosts: string[], auth?: string): Promise<number[]> {
  const dispatcher = proxyClient(proxyPort, ca, auth, 4);
  const out: number[] = [];
  try {
    for (const h of hosts) {
      const t0 = performance.now();
      const res = await request(`https://${h}/v1/models`, { dispatcher });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`${h}: status ${res.statusCode}`);
      out.push(performance.now() - t0);
    }
  } finally {
    await dispatcher.close().catch(() => {});
  }
  return out;
}

async function eventLoopMaxMs(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

async function peerEld(proc: Proc): Promise<number> {
  const before = proc.output().length;
  proc.child.kill('SIGUSR2');
  const line = await waitFor('event-loop report', () => /eld-max-ms (\S+)/.exec(proc.output().slice(before))?.[1], proc, 5000);
  return Number(line);
}

/**
 * Scenario 5: a leaf certificate for each of N new hostnames (all allowlisted): the time to the
 * first response per host, and the longest event-loop block in the proxy meanwhile.
 */
export async function coldLeafScenario(o: BenchOptions): Promise<Scenario[]> {
  const n = o.quick ? 30 : 100;
  const hosts = Array.from({ length: n }, (_, i) => `h${String(i).padStart(3, '0')}.cold.bench.example`);
  const backend = await startBackend();
  const ca = makeCa();
  const ours = await startAibridge('aibridge-proxy-cold', 'proxy', {
    CODER_ACCESS_URL: `http://127.0.0.1:${backend.port}`,
    CODER_AIBRIDGE_PROXY_CERT_FILE: ca.certFile,
    CODER_AIBRIDGE_PROXY_KEY_FILE: ca.keyFile,
    CODER_AIBRIDGE_PROXY_PROVIDER_HOSTS: hosts.map((h) => `${h}=openai`).join(','),
    CODER_AIBRIDGE_PROXY_DOMAIN_ALLOWLIST: hosts.join(','),
  }, ['proxy', 'metrics']);
  const rows: Row[] = [];
  const notes: string[] = [];
  const port = (a: string) => Number(a.split(':').pop());
  // One warm request so process start-up is not counted as a leaf.
  const warmHost = hosts.shift()!;
  await coldTimes(port(ours.addresses.proxy), ca.certPem, [warmHost], basicAuth('coder', 'benchtoken-aaaaaaaaaaaaaaaaaaaaaa'));
  const metricsUrl = `http://${ours.addresses.metrics}/metrics`;
  await eventLoopMaxMs(metricsUrl);
  const oursTimes = await coldTimes(port(ours.addresses.proxy), ca.certPem, hosts, basicAuth('coder', 'benchtoken-aaaaaaaaaaaaaaaaaaaaaa'));
  const oursEld = await eventLoopMaxMs(metricsUrl);
  const row = (name: string, t: number[], eld?: number): Row => {
    const s = [...t].sort((a, b) => a - b);
    return { name, p50: median(t), p99: percentile(s, 99), value: eld === undefined ? '' : `longest event-loop block ${eld.toFixed(1)} ms` };
  };
  rows.push(row('aibridge proxy', oursTimes, oursEld));
  await ours.proc.stop();

  let hmpP50: number | undefined;
  let mitmP50: number | undefined;
  try {
    const hmp = await startHttpMitmProxy(backend.port);
    await coldTimes(hmp.port, hmp.caPem!, [warmHost]);
    await peerEld(hmp.proc);
    const t = await coldTimes(hmp.port, hmp.caPem!, hosts);
    rows.push(row('http-mitm-proxy', t, await peerEld(hmp.proc)));
    hmpP50 = median(t);
    await hmp.proc.stop();
  } catch (err) {
    notes.push(`http-mitm-proxy: ${(err as Error).message.split('\n')[0]}`);
  }
  if (hasCommand('mitmdump')) {
    try {
      const mp = await startMitmproxy(backend.port);
      await coldTimes(mp.port, mp.caPem!, [warmHost]);
      const t = await coldTimes(mp.port, mp.caPem!, hosts);
      rows.push(row('mitmproxy', t));
      mitmP50 = median(t);
      await mp.proc.stop();
    } catch (err) {
      notes.push(`mitmproxy: ${(err as Error).message.split('\n')[0]}`);
    }
  } else notes.push('mitmproxy is not installed (apt-get install mitmproxy); its row is missing');
  await backend.close();
  const oursP50 = median(oursTimes);
  const vsMitm = ratio(oursP50, mitmP50);
  return [
    {
      id: '5',
      title: `Cold leaf certificate: time to first response for ${hosts.length} new hostnames, one after another`,
      rows,
      ratios: [
        { text: `aibridge / mitmproxy cold p50 = ${fmtRatio(vsMitm)} (target ≤ 0.5×)`, ok: Number.isNaN(vsMitm) ? undefined : vsMitm <= 0.5 },
        { text: `aibridge / http-mitm-proxy cold p50 = ${fmtRatio(ratio(oursP50, hmpP50))}`, ok: undefined },
        { text: `aibridge longest event-loop block ${oursEld.toFixed(1)} ms (target ≤ 5 ms)`, ok: oursEld <= 5 },
      ],
      notes,
    },
  ];
}
