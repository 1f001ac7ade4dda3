import { basicAuth, directClient, getShot, proxyClient } from '../lib/clients.js';
import { fmtRatio, ratio, type BenchOptions } from '../lib/context.js';
import { runLoad, type Shot } from '../lib/load.js';
import { hasCommand, startGoproxy, startHttpMitmProxy, startMitmproxy, startSquid, type ProxyPeer } from '../lib/peers.js';
import { startBackend } from '../lib/backend.js';
import { startAibridge, treeCpuSeconds, type Proc } from '../lib/procs.js';
import { cpuPerRequest, type Row, type Scenario } from '../lib/report.js';
import { makeCa, makeServerCert } from '../lib/tls.js';

const TOKEN = 'benchtoken-aaaaaaaaaaaaaaaaaaaaaa';

async function measure(name: string, shot: Shot, o: BenchOptions, procs: Proc[]): Promise<Row> {
  const cpu0 = procs.reduce((a, p) => a + treeCpuSeconds(p.child.pid!), 0);
  try {
    const s = await runLoad(shot, { concurrency: o.concurrency, seconds: o.seconds, warmupSeconds: o.warmup });
    const cpu1 = procs.reduce((a, p) => a + treeCpuSeconds(p.child.pid!), 0);
    return { name, rps: s.rps, p50: s.p50, p99: s.p99, errors: s.errors, cores: procs.length ? (cpu1 - cpu0) / (o.seconds + o.warmup) : undefined };
  } catch (err) {
    return { name, note: `failed: ${(err as Error).message.slice(0, 120)}` };
  }
}

/**
 * Scenarios 1 and 2: keep-alive HTTPS through each proxy, 32 connections. MITM: the proxy
 * decrypts api.openai.com and sends each request to a local HTTP backend (aibridge's proxy runs
 * alone, its bridge URL pointed at the backend). Tunnel: CONNECT to a local TLS server that is
 * not allowlisted, bytes passed through.
 */
export async function proxyScenarios(o: BenchOptions): Promise<Scenario[]> {
  const backend = await startBackend();
  const tlsCert = makeServerCert();
  const tlsBackend = await startBackend(tlsCert);
  const ca = makeCa();
  const tunnelHost = `127.0.0.1:${tlsBackend.port}`;
  const mitmUrl = 'https://api.openai.com/v1/models';
  const tunnelUrl = `https://${tunnelHost}/v1/models`;

  const ours = await startAibridge('aibridge-proxy', 'proxy', {
    CODER_ACCESS_URL: `http://127.0.0.1:${backend.port}`,
    CODER_AIBRIDGE_PROXY_CERT_FILE: ca.certFile,
    CODER_AIBRIDGE_PROXY_KEY_FILE: ca.keyFile,
    CODER_AIBRIDGE_PROXY_ALLOWED_PORTS: `80,443,${tlsBackend.port}`,
    CODER_AIBRIDGE_PROXY_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
  }, ['proxy']);
  const oursPort = Number(ours.addresses.proxy.split(':').pop());
  const peers: ProxyPeer[] = [];
  const notes: string[] = [];
  const start = async (what: string, fn: () => Promise<ProxyPeer | undefined>) => {
    try {
      const p = await fn();
      if (p) peers.push(p);
      else notes.push(`${what} did not build or start; its rows are missing`);
    } catch (err) {
      notes.push(`${what} failed to start: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  await start('http-mitm-proxy', () => startHttpMitmProxy(backend.port));
  if (hasCommand('mitmdump')) await start('mitmproxy', () => startMitmproxy(backend.port, tunnelHost));
  else notes.push('mitmproxy is not installed (apt-get install mitmproxy); its rows are missing');
  if (hasCommand('squid')) await start('squid', () => startSquid());
  else notes.push('squid is not installed (apt-get install squid); its row is missing');
  if (hasCommand('go')) await start('goproxy', () => startGoproxy(backend.port, ca.certFile, ca.keyFile, tunnelHost));
  else notes.push('goproxy needs golang-go and golang-github-elazarl-goproxy-dev; its rows are missing');

  const auth = basicAuth('coder', TOKEN);
  // Scenario 1: MITM.
  const mitmRows: Row[] = [];
  mitmRows.push(await measure('direct (client → backend, plain HTTP)', getShot(directClient(), `http://127.0.0.1:${backend.port}/v1/models`), o, []));
  mitmRows.push(await measure('aibridge proxy', getShot(proxyClient(oursPort, ca.certPem, auth), mitmUrl), o, [ours.proc]));
  for (const p of peers.filter((p) => p.caPem)) mitmRows.push(await measure(p.name, getShot(proxyClient(p.port, p.caPem), mitmUrl), o, [p.proc]));

  // Scenario 2: tunnel.
  const tunnelRows: Row[] = [];
  tunnelRows.push(await measure('direct (client → TLS backend)', getShot(directClient(tlsCert.cert), tunnelUrl), o, []));
  tunnelRows.push(await measure('aibridge proxy', getShot(proxyClient(oursPort, tlsCert.cert, auth), tunnelUrl), o, [ours.proc]));
  for (const p of peers.filter((p) => p.name !== 'http-mitm-proxy')) tunnelRows.push(await measure(p.name, getShot(proxyClient(p.port, tlsCert.cert), tunnelUrl), o, [p.proc]));

  const rps = (rows: Row[], name: string) => rows.find((r) => r.name === name)?.rps;
  const mitmRatios: { text: string; ok?: boolean }[] = [
    ['http-mitm-proxy', 2],
    ['mitmproxy', 10],
    ['goproxy', undefined],
  ].map(([peer, target]) => {
    const x = ratio(rps(mitmRows, 'aibridge proxy'), rps(mitmRows, peer as string));
    return { text: `aibridge / ${peer} throughput = ${fmtRatio(x)}${target ? ` (target ≥ ${target}×)` : ''}`, ok: target && !Number.isNaN(x) ? x >= (target as number) : undefined };
  });
  // The load generator takes about a core of two, so throughput is bounded by the client; the
  // CPU each proxy spends per request is the fairer comparison of the proxies themselves.
  const cpu = (rows: Row[], name: string) => {
    const r = rows.find((x) => x.name === name);
    return r ? cpuPerRequest(r) : undefined;
  };
  for (const peer of ['http-mitm-proxy', 'mitmproxy', 'goproxy']) {
    const x = ratio(cpu(mitmRows, peer), cpu(mitmRows, 'aibridge proxy'));
    if (!Number.isNaN(x)) mitmRatios.push({ text: `${peer} / aibridge CPU per request = ${fmtRatio(x)} (aibridge uses ${fmtRatio(x)} less CPU per request)`, ok: undefined });
  }
  const tunnelRatios: { text: string; ok?: boolean }[] = ['squid', 'mitmproxy', 'goproxy'].map((peer) => {
    const x = ratio(rps(tunnelRows, 'aibridge proxy'), rps(tunnelRows, peer));
    return { text: `aibridge / ${peer} throughput = ${fmtRatio(x)}${peer === 'squid' ? ' (target ≥ 1.2×)' : ''}`, ok: peer === 'squid' && !Number.isNaN(x) ? x >= 1.2 : undefined };
  });
  for (const peer of ['squid', 'mitmproxy', 'goproxy']) {
    const x = ratio(cpu(tunnelRows, peer), cpu(tunnelRows, 'aibridge proxy'));
    if (!Number.isNaN(x)) tunnelRatios.push({ text: `${peer} / aibridge CPU per request = ${fmtRatio(x)}`, ok: undefined });
  }
  tunnelRatios.push({ text: `aibridge / direct throughput = ${fmtRatio(ratio(rps(tunnelRows, 'aibridge proxy'), rps(tunnelRows, 'direct (client → TLS backend)')))}`, ok: undefined });

  await Promise.all([ours.proc.stop(), ...peers.map((p) => p.proc.stop()), backend.close(), tlsBackend.close()]);
  return [
    { id: '1', title: `MITM: keep-alive HTTPS through the proxy to a local backend, ${o.concurrency} connections`, rows: mitmRows, ratios: mitmRatios, notes },
    { id: '2', title: `Tunnel: host not allowlisted, ${o.concurrency} connections`, rows: tunnelRows, ratios: tunnelRatios, notes: [] },
  ];
}
