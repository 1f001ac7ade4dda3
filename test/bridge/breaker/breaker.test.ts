import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Breakers, CircuitOpen, ModelBreaker, type BreakerState } from '../../../src/bridge/breaker/index.js';
import { ModelLabels, OTHER_MODEL } from '../../../src/bridge/model-label.js';
import { registry } from '../../../src/metrics/index.js';

const opts = { failureThreshold: 3, interval: 10_000, timeout: 30_000, maxRequests: 2 };

/** Runs one call that the upstream answers with `failed`. */
function call(b: ModelBreaker, failed: boolean): Promise<'ran' | 'rejected'> {
  return b.execute(async () => failed).then(
    () => 'ran',
    (err) => {
      if (err instanceof CircuitOpen) return 'rejected';
      throw err;
    },
  );
}

/** A call that stays in flight until released. */
function pending(b: ModelBreaker): { result: Promise<'ran' | 'rejected'>; settle(failed: boolean): void } {
  let settle!: (failed: boolean) => void;
  const started = new Promise<boolean>((r) => (settle = r));
  const result = b.execute(() => started).then(
    () => 'ran' as const,
    (err) => {
      if (err instanceof CircuitOpen) return 'rejected' as const;
      throw err;
    },
  );
  return { result, settle };
}

describe('ModelBreaker (Coder semantics over opossum)', () => {
  let states: BreakerState[];
  let b: ModelBreaker;
  beforeEach(() => {
    vi.useFakeTimers();
    states = [];
    b = new ModelBreaker(opts, { onState: (s) => states.push(s) });
  });
  afterEach(() => {
    b.shutdown();
    vi.useRealTimers();
  });

  it('trips after the threshold of consecutive failures and rejects while open', async () => {
    expect(await call(b, true)).toBe('ran');
    expect(await call(b, true)).toBe('ran');
    expect(b.state).toBe('closed');
    expect(await call(b, true)).toBe('ran');
    expect(b.state).toBe('open');
    let ran = false;
    await expect(b.execute(async () => ((ran = true), false))).rejects.toBeInstanceOf(CircuitOpen);
    expect(ran).toBe(false);
  });

  it('counts consecutive failures only: a success in between starts over', async () => {
    for (const failed of [true, true, false, true, true]) expect(await call(b, failed)).toBe('ran');
    expect(b.state).toBe('closed');
    expect(await call(b, true)).toBe('ran');
    expect(b.state).toBe('open');
  });

  it('forgets failures older than the interval while closed', async () => {
    await call(b, true);
    await call(b, true);
    vi.advanceTimersByTime(opts.interval);
    await call(b, true);
    expect(b.state).toBe('closed');
  });

  it('goes half-open after the timeout and admits up to maxRequests trial requests', async () => {
    for (let i = 0; i < 3; i++) await call(b, true);
    vi.advanceTimersByTime(opts.timeout - 1);
    expect(await call(b, false)).toBe('rejected');
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('half-open');
    const t1 = pending(b);
    const t2 = pending(b);
    expect(await call(b, false)).toBe('rejected');
    t1.settle(false);
    t2.settle(false);
    expect([await t1.result, await t2.result]).toEqual(['ran', 'ran']);
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('closes on a successful trial', async () => {
    for (let i = 0; i < 3; i++) await call(b, true);
    vi.advanceTimersByTime(opts.timeout);
    expect(await call(b, false)).toBe('ran');
    expect(b.state).toBe('closed');
    expect(await call(b, false)).toBe('ran');
  });

  it('reopens on a failed trial, whichever trial fails', async () => {
    for (let i = 0; i < 3; i++) await call(b, true);
    vi.advanceTimersByTime(opts.timeout);
    const first = pending(b);
    expect(await call(b, true)).toBe('ran');
    expect(b.state).toBe('open');
    first.settle(false);
    await first.result;
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(opts.timeout);
    expect(await call(b, true)).toBe('ran');
    expect(b.state).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'open']);
  });
});

describe('Breakers', () => {
  afterEach(() => vi.useRealTimers());

  async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
    const m = await registry.getSingleMetric(name)!.get();
    return m.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
  }

  it('opens the breaker for one model without touching the others, and reports it in metrics', async () => {
    vi.useFakeTimers();
    const all = new Breakers(opts);
    const model = `m-${Math.random()}`;
    const labels = { provider: 'anthropic', endpoint: 'messages', model };
    const a = all.get('anthropic', 'messages', model);
    expect(all.get('anthropic', 'messages', model)).toBe(a);
    const other = all.get('anthropic', 'messages', `${model}-other`);
    for (let i = 0; i < 3; i++) await call(a, true);
    expect(a.state).toBe('open');
    expect(other.state).toBe('closed');
    expect(await call(a, false)).toBe('rejected');
    expect(await call(a, false)).toBe('rejected');
    expect(await metric('coder_aibridged_circuit_breaker_state', labels)).toBe(1);
    expect(await metric('coder_aibridged_circuit_breaker_trips_total', labels)).toBe(1);
    expect(await metric('coder_aibridged_circuit_breaker_rejects_total', labels)).toBe(2);
    vi.advanceTimersByTime(opts.timeout);
    expect(await metric('coder_aibridged_circuit_breaker_state', labels)).toBe(0.5);
    await call(a, false);
    expect(await metric('coder_aibridged_circuit_breaker_state', labels)).toBe(0);
    all.close();
  });

  it('makes at most the label cap of circuits per provider: later models share the "other" circuit', () => {
    const all = new Breakers(opts, Date.now, 1000, new ModelLabels(2));
    const a = all.get('openai', 'responses', 'a');
    const b = all.get('openai', 'responses', 'b');
    expect(a).not.toBe(b);
    const c = all.get('openai', 'responses', 'c');
    expect(c).not.toBe(a);
    expect(c).not.toBe(b);
    expect(all.get('openai', 'responses', 'd')).toBe(c);
    expect(all.get('openai', 'responses', `random-${Math.random()}`)).toBe(c);
    expect(all.get('openai', 'responses', OTHER_MODEL)).toBe(c);
    expect(all.get('openai', 'responses', 'a')).toBe(a);
    all.close();
  });
});
