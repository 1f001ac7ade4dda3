import { directClient, postShot, proxyClient, basicAuth, ttfb } from '../lib/clients.js';
import { fmtRatio, ratio, type BenchOptions } from '../lib/context.js';
import { interleavedLatency, runLoad, type Shot } from '../lib/load.js';
import { startPortkey } from '../lib/peers.js';
import { benchPgUrl, MOCK_KEY, startMock, startProductAgainstMock, type Product } from '../lib/product.js';
import { treeCpuSeconds, type Proc } from '../lib/procs.js';
import type { Row, Scenario } from '../lib/report.js';
import { median } from '../lib/stats.js';
import type { Dispatcher } from 'undici';

const body = (stream: boolean) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }], stream });

interface Path {
  name: string;
  procs: Proc[];
  shot(stream: boolean, headers?: Record<string, string>): Shot;
  ttfb(headers: Record<string, string>): Promise<number>;
}

function path(name: string, procs: Proc[], dispatcher: Dispatcher, url: string, headers: Record<string, string>): Path {
  return {
    name,
    procs,
    shot: (stream, extra = {}) => postShot(dispatcher, url, body(stream), { ...headers, ...extra }),
    ttfb: (extra) => ttfb(dispatcher, url, body(true), { ...headers, ...extra }),
  };
}

async function loaded(p: Path, stream: boolean, o: BenchOptions): Promise<Row> {
  const cpu0 = p.procs.reduce((a, x) => a + treeCpuSeconds(x.child.pid!), 0);
  try {
    const s = await runLoad(p.shot(stream), { concurrency: o.concurrency, seconds: o.seconds, warmupSeconds: o.warmup });
    const cpu1 = p.procs.reduce((a, x) => a + treeCpuSeconds(x.child.pid!), 0);
    return { name: `${p.name}, ${stream ? 'streaming' : 'blocking'}`, rps: s.rps, p50: s.p50, p99: s.p99, errors: s.errors, cores: p.procs.length ? (cpu1 - cpu0) / (o.seconds + o.warmup) : undefined };
  } catch (err) {
    return { name: `${p.name}, ${stream ? 'streaming' : 'blocking'}`, note: `failed: ${(err as Error).message.slice(0, 160)}` };
  }
}

/**
 * Scenarios 3, 4 and 7: the full chain (client → proxy → bridge → mock), the bridge alone as a
 * base URL, Portkey → mock and direct → mock, with recording on (PostgreSQL when it answers).
 */
export async function bridgeScenarios(o: BenchOptions): Promise<Scenario[]> {
  const mock = await startMock();
  const pgUrl = await benchPgUrl();
  const product = await startProductAgainstMock('aibridge-serve', mock.url, { pgUrl });
  const portkey = await startPortkey();
  const notes = [`recording on, to ${pgUrl ? 'PostgreSQL 127.0.0.1:5432' : 'embedded PGlite'}`];
  const mockDirect = directClient();
  const paths: Path[] = [
    path('direct → mock', [mock.proc], mockDirect, `${mock.url}/v1/chat/completions`, { authorization: `Bearer ${MOCK_KEY}` }),
    path('aibridge bridge (base URL) → mock', [product.proc, mock.proc], directClient(), `${product.apiUrl}/api/v2/aibridge/openai/v1/chat/completions`, { authorization: `Bearer ${product.token}` }),
    path('aibridge proxy → bridge → mock', [product.proc, mock.proc], proxyClient(product.proxyPort!, product.caPem, basicAuth('coder', product.token)), 'https://api.openai.com/v1/chat/completions', { authorization: `Bearer ${product.token}` }),
    path('Portkey → mock', [portkey.proc, mock.proc], directClient(), `${portkey.url}/v1/chat/completions`, {
      authorization: `Bearer ${MOCK_KEY}`,
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${mock.url}/v1`,
    }),
  ];
  const [direct, bridge, chain, pk] = paths;

  // Scenario 3, sequential: the added latency of each path over direct, interleaved rounds.
  const seq = await interleavedLatency(Object.fromEntries(paths.map((p) => [p.name, p.shot(false)])), { rounds: o.rounds, perRound: o.perRound, warmup: 50 });
  const p50 = Object.fromEntries(Object.entries(seq).map(([k, v]) => [k, median(v)]));
  const added = (p: Path) => p50[p.name] - p50[direct.name];
  const seqRows: Row[] = paths.map((p) => ({ name: `${p.name}, sequential blocking`, p50: p50[p.name], added: p === direct ? 0 : added(p) }));
  // Scenario 3, loaded.
  const loadRows: Row[] = [];
  for (const stream of [false, true]) for (const p of paths) loadRows.push(await loaded(p, stream, o));
  const rps = (p: Path, stream: boolean) => loadRows.find((r) => r.name === `${p.name}, ${stream ? 'streaming' : 'blocking'}`)?.rps;
  const r3 = [
    { x: ratio(added(bridge), added(pk)), text: 'bridge added p50 / Portkey added p50', target: 0.15, le: true },
    { x: ratio(added(chain), added(pk)), text: 'full chain (proxy + bridge) added p50 / Portkey added p50', target: 0.3, le: true },
    { x: ratio(rps(bridge, false), rps(pk, false)), text: 'bridge / Portkey throughput, blocking', target: 10, le: false },
    { x: ratio(rps(bridge, true), rps(pk, true)), text: 'bridge / Portkey throughput, streaming', target: undefined, le: false },
    { x: ratio(rps(chain, false), rps(pk, false)), text: 'full chain / Portkey throughput, blocking', target: undefined, le: false },
  ].map((r) => ({ text: `${r.text} = ${fmtRatio(r.x)}${r.target ? ` (target ${r.le ? '≤' : '≥'} ${r.target}×)` : ''}`, ok: r.target === undefined || Number.isNaN(r.x) ? undefined : r.le ? r.x <= r.target : r.x >= r.target }));
  r3.push({ text: `added p50: bridge ${added(bridge).toFixed(3)} ms, full chain ${added(chain).toFixed(3)} ms, Portkey ${added(pk).toFixed(3)} ms (published, not run here: Bifrost 0.44 ms, Portkey 2.37 ms, LiteLLM 4.34 ms)`, ok: undefined });

  // Scenario 4: streaming time to first byte with the mock waiting 25 ms before its first chunk.
  const delay = { 'x-mock-delay-ms': '25' };
  const n = o.quick ? 10 : 30;
  const t: Record<string, number[]> = Object.fromEntries(paths.map((p) => [p.name, []]));
  for (let i = 0; i < n; i++) for (const p of paths) t[p.name].push(await p.ttfb(delay).catch(() => NaN));
  const ttfbMed = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v.filter((x) => !Number.isNaN(x)))]));
  const ttfbRows: Row[] = paths.map((p) => ({ name: p.name, p50: ttfbMed[p.name], added: ttfbMed[p.name] - ttfbMed[direct.name], value: `median of ${n}` }));
  const addedTtfb = (p: Path) => ttfbMed[p.name] - ttfbMed[direct.name];
  const r4: { text: string; ok?: boolean }[] = [bridge, chain].map((p) => ({ text: `${p.name}: added TTFB ${addedTtfb(p).toFixed(2)} ms (target ≤ 1 ms)`, ok: addedTtfb(p) <= 1 }));
  r4.push({ text: `Portkey added TTFB ${addedTtfb(pk).toFixed(2)} ms`, ok: undefined });

  // Scenario 7: recording on vs off, the bridge alone, alternating so drift hits both alike.
  const off = await startProductAgainstMock('aibridge-norec', mock.url, { env: { AIBRIDGE_RECORDING_ENABLED: 'false' }, command: 'server' });
  const offPath = path('aibridge bridge, recording off', [off.proc, mock.proc], directClient(), `${off.apiUrl}/api/v2/aibridge/openai/v1/chat/completions`, { authorization: `Bearer ${off.token}` });
  const half = { ...o, seconds: Math.max(1, o.seconds / 2) };
  const on1 = await loaded(bridge, false, half);
  const off1 = await loaded(offPath, false, half);
  const on2 = await loaded(bridge, false, half);
  const off2 = await loaded(offPath, false, half);
  const onRps = ((on1.rps ?? NaN) + (on2.rps ?? NaN)) / 2;
  const offRps = ((off1.rps ?? NaN) + (off2.rps ?? NaN)) / 2;
  const recRows: Row[] = [
    { name: 'recording on (bridge, blocking)', rps: onRps, p50: on1.p50, p99: on1.p99 },
    { name: 'recording off (bridge, blocking)', rps: offRps, p50: off1.p50, p99: off1.p99 },
  ];
  const recRatio = ratio(onRps, offRps);
  await off.proc.stop();

  await Promise.all([product.proc.stop(), portkey.proc.stop(), mock.proc.stop()]);
  return [
    { id: '3', title: 'Full chain and bridge: OpenAI chat completions through each path to the mock', rows: [...seqRows, ...loadRows], ratios: r3, notes },
    { id: '4', title: 'Streaming time to first byte, mock waits 25 ms before its first chunk', rows: ttfbRows, ratios: r4, notes: [] },
    { id: '7', title: 'Recording on vs off (bridge alone, blocking, alternating runs)', rows: recRows, ratios: [{ text: `on / off throughput = ${fmtRatio(recRatio)} (target ≥ 0.9×)`, ok: recRatio >= 0.9 }], notes },
  ];
}
