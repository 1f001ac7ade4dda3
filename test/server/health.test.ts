import { describe, expect, it } from 'vitest';
import { Progress, runHealthChecks, type Clock } from '../../src/server/health.js';

class FakeClock implements Clock {
  t = 1_000_000;
  now() {
    return this.t;
  }
  advance(ms: number) {
    this.t += ms;
  }
}

describe('Progress', () => {
  it('is empty when nothing is tracked', () => {
    expect(new Progress(new FakeClock()).summary()).toBe('');
  });

  it('lists completed and running checks, byte-wise sorted', () => {
    const clock = new FakeClock();
    const p = new Progress(clock);
    p.start('Database');
    p.start('DERP');
    p.start('AccessURL');
    clock.advance(100);
    p.complete('Database');
    p.complete('AccessURL');
    expect(p.summary()).toBe('Completed: AccessURL (100ms), Database (100ms). Still running: DERP (elapsed: 100ms)');
  });

  it('shows only the completed part when all are done', () => {
    const clock = new FakeClock();
    const p = new Progress(clock);
    p.start('Database');
    p.start('DERP');
    clock.advance(50);
    p.complete('DERP');
    p.complete('Database');
    expect(p.summary()).toBe('Completed: DERP (50ms), Database (50ms)');
  });

  it('shows only the running part when none is done', () => {
    const p = new Progress(new FakeClock());
    p.start('Database');
    p.start('DERP');
    expect(p.summary()).toBe('Still running: DERP (elapsed: 0ms), Database (elapsed: 0ms)');
  });
});

describe('runHealthChecks', () => {
  it('reports which check held up a timed-out report', async () => {
    const report = await runHealthChecks(
      [
        { name: 'Fast', run: async () => {} },
        { name: 'Stuck', run: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) },
      ],
      50,
    );
    expect(report.healthy).toBe(false);
    expect(report.timeout_summary).toMatch(/^healthcheck timed out\. Completed: Fast \(\d+ms\)\. Still running: Stuck \(elapsed: \d+ms\)$/);
  });

  it('is healthy when every check passes and unhealthy when one fails', async () => {
    expect((await runHealthChecks([{ name: 'A', run: async () => {} }], 1000)).healthy).toBe(true);
    const bad = await runHealthChecks([{ name: 'A', run: async () => { throw new Error('down'); } }], 1000);
    expect(bad.healthy).toBe(false);
    expect(bad.checks.A.error).toBe('down');
  });
});
