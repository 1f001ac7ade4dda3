import { LRUCache } from 'lru-cache';
import { breakerRejects, breakerState, breakerTrips } from '../metrics.js';
import { modelLabels as sharedLabels, type ModelLabels } from '../model-label.js';
import { ModelBreaker, type BreakerOptions, type BreakerState } from './breaker.js';

export { CircuitOpen, ModelBreaker, type Attempt, type BreakerOptions, type BreakerState } from './breaker.js';
export { isBreakerFailure, retryAfterSeconds } from './verdict.js';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 0.5, open: 1 };

/**
 * The circuits of a bridge, one per provider × endpoint × model (Coder: one per provider per
 * `route:model`), made on first use. Model names come from clients, so they are bounded as
 * metric labels are (`ModelLabels`: models past the per-provider cap share one "other"
 * circuit), and the least recently used circuit is dropped past `max` as well.
 */
export class Breakers {
  private map: LRUCache<string, ModelBreaker>;

  constructor(
    private readonly opts: BreakerOptions,
    private readonly now: () => number = Date.now,
    max = 1000,
    private readonly labels: ModelLabels = sharedLabels,
  ) {
    this.map = new LRUCache<string, ModelBreaker>({ max, dispose: (b) => b.shutdown() });
  }

  get(provider: string, endpoint: string, rawModel: string): ModelBreaker {
    const model = this.labels.label(provider, rawModel);
    const key = `${provider}\u0000${endpoint}\u0000${model}`;
    let b = this.map.get(key);
    if (!b) {
      const labels = { provider, endpoint, model };
      b = new ModelBreaker(
        this.opts,
        {
          onState: (s) => breakerState.set(labels, STATE_VALUE[s]),
          onTrip: () => breakerTrips.inc(labels),
          onReject: () => breakerRejects.inc(labels),
        },
        this.now,
      );
      breakerState.set(labels, 0);
      this.map.set(key, b);
    }
    return b;
  }

  close(): void {
    this.map.clear();
  }
}
