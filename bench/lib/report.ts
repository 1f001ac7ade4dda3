import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { root } from './procs.js';

export interface Row {
  name: string;
  /** Requests per second (loaded rows). */
  rps?: number;
  p50?: number;
  p99?: number;
  /** CPU cores the path's own processes used while loaded. */
  cores?: number;
  /** Added latency over direct, ms (sequential rows). */
  added?: number;
  /** Free-form value with its unit (memory, TTFB, counts). */
  value?: string;
  errors?: number;
  note?: string;
}

export interface Scenario {
  id: string;
  title: string;
  rows: Row[];
  /** Ratios and targets: "aibridge / http-mitm-proxy throughput = 2.1× (target ≥ 2×)". */
  ratios: { text: string; ok?: boolean }[];
  notes: string[];
}

export interface Results {
  date: string;
  machine: string;
  node: string;
  quick: boolean;
  scenarios: Scenario[];
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}`;
}

/** CPU time the path's own processes spent per request, in µs (cores ÷ throughput). */
export function cpuPerRequest(r: Row): number | undefined {
  return r.cores !== undefined && r.rps ? (r.cores * 1e6) / r.rps : undefined;
}

const f = (v: number | undefined, digits = 2) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(digits));

export function renderScenario(s: Scenario): string {
  const lines = [`### ${s.id}. ${s.title}`, '', '| path | req/s | p50 ms | p99 ms | added ms | cores | CPU µs/req | value | errors |', '|---|---:|---:|---:|---:|---:|---:|---|---:|'];
  for (const r of s.rows) {
    lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${f(r.rps, 0)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.added, 3)} | ${f(r.cores)} | ${f(cpuPerRequest(r), 0)} | ${r.value ?? ''} | ${r.errors ?? ''} |`);
  }
  if (s.ratios.length) {
    lines.push('');
    for (const r of s.ratios) lines.push(`- ${r.ok === undefined ? '' : r.ok ? '✅ ' : '❌ '}${r.text}`);
  }
  for (const n of s.notes) lines.push(`- note: ${n}`);
  return lines.join('\n');
}

export function renderMarkdown(r: Results): string {
  return [
    `# aibridge benchmark results`,
    '',
    `${r.date} · ${r.machine} · Node ${r.node}${r.quick ? ' · --quick' : ''}`,
    '',
    'Every path runs in the same bench run on the same machine; compare ratios, not absolute figures.',
    '',
    ...r.scenarios.map((s) => renderScenario(s) + '\n'),
  ].join('\n');
}

export function writeResults(r: Results): void {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), renderMarkdown(r));
}
