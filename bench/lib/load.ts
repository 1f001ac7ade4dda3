import { summarize, type Summary } from './stats.js';

/** One request: resolves when the whole response has been read; throws on failure. */
export type Shot = () => Promise<void>;

/**
 * Closed-loop load: `concurrency` workers each send one request after another for `seconds`
 * (after `warmupSeconds` unmeasured). Returns throughput and latency percentiles.
 */
export async function runLoad(shot: Shot, opts: { concurrency: number; seconds: number; warmupSeconds: number }): Promise<Summary> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: unknown;
  // Open every connection (and mint any certificate) before the clock starts.
  await Promise.all(Array.from({ length: opts.concurrency }, () => shot().catch(() => {})));
  const warmEnd = performance.now() + opts.warmupSeconds * 1000;
  const end = warmEnd + opts.seconds * 1000;
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        await shot();
        const t1 = performance.now();
        if (t0 >= warmEnd && t1 <= end) samples.push(t1 - t0);
      } catch (err) {
        if (t0 >= warmEnd) {
          errors++;
          firstError ??= err;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  if (errors > 0 && samples.length === 0) throw new Error(`every request failed: ${(firstError as Error)?.message ?? firstError}`);
  return summarize(samples, errors, opts.seconds);
}

/**
 * Sequential latency of several paths measured in interleaved rounds (A, B, C, A, B, C, …) so
 * drift in machine load hits each path alike; returns the median latency per path in ms.
 */
export async function interleavedLatency(paths: Record<string, Shot>, opts: { rounds: number; perRound: number; warmup: number }): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, shot] of Object.entries(paths)) {
    out[name] = [];
    for (let i = 0; i < opts.warmup; i++) await shot();
  }
  for (let r = 0; r < opts.rounds; r++) {
    for (const [name, shot] of Object.entries(paths)) {
      for (let i = 0; i < opts.perRound; i++) {
        const t0 = performance.now();
        await shot();
        out[name].push(performance.now() - t0);
      }
    }
  }
  return out;
}
