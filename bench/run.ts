import { renderScenario, machine, writeResults, type Results, type Scenario } from './lib/report.js';
import { options } from './lib/context.js';
import { peersInstalled } from './lib/peers.js';
import { stopAll } from './lib/procs.js';
import { bridgeScenarios } from './scenarios/bridge.js';
import { coldLeafScenario } from './scenarios/cold-leaf.js';
import { memoryScenario } from './scenarios/memory.js';
import { proxyScenarios } from './scenarios/proxy.js';
import { scaleScenario } from './scenarios/scale.js';

/**
 * `npm run bench [-- --quick] [-- --only 1,2]`: every scenario against its peers, side by side in
 * one run; prints a table per scenario and writes bench/results/latest.{json,md}.
 */
async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
  const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
  const o = options(quick);
  if (!peersInstalled()) {
    console.error('bench peers are not installed: run `npm ci --prefix bench/peers` (npm run bench does it for you)');
    process.exit(1);
  }
  const results: Results = { date: new Date().toISOString(), machine: machine(), node: process.version, quick, scenarios: [] };
  const t0 = Date.now();
  const groups: [string[], () => Promise<Scenario[]>][] = [
    [['1', '2'], () => proxyScenarios(o)],
    [['3', '4', '7'], () => bridgeScenarios(o)],
    [['5'], () => coldLeafScenario(o)],
    [['6'], () => memoryScenario(o)],
    [['8'], () => scaleScenario(o)],
  ];
  for (const [ids, run] of groups) {
    if (only && !ids.some((i) => only.has(i))) continue;
    try {
      for (const s of await run()) {
        results.scenarios.push(s);
        console.log('\n' + renderScenario(s));
      }
    } catch (err) {
      console.error(`scenarios ${ids.join(', ')} failed: ${(err as Error).stack}`);
      results.scenarios.push({ id: ids.join('+'), title: 'failed', rows: [], ratios: [], notes: [(err as Error).message] });
    } finally {
      await stopAll();
    }
  }
  console.log(`\nbench finished in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  writeResults(results);
}

await main();
