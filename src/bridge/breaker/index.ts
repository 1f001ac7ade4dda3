import { LRUCache } from 'lru-cache';
import { breakerRejects, breakerState, breakerTrips } from '../metrics.js';
import { ModelBreaker, type BreakerOptions, type BreakerState } from './breaker.js';

export { CircuitOpen, ModelBreaker, type Attempt, type BreakerOptions, type BreakerState } from './breaker.js';
export { isBreakerFailure, retryAfterSeconds } from './verdict.js';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 0.5, open: 1 };

/**
 * The circuits of a bridge, one per provider × endpoint × model (Coder: one per provider per
 * `route:model`), made on first use. Model names come from clients, so the set is capped; the
 * least recently used circuit is dropped past the cap.
 */
export class Breakers {
  private map: LRUCache<string, ModelBreaker>;

  constructor(
    private readonly opts: BreakerOptions,
    private readonly now: () => number = Date.now,
    max = 1000,
  ) {
    this.map = new LRUCache<string, ModelBreaker>({ max, dispose: (b) => b.shutdown() });
  }

  get(provider: string, endpoint: string, model: string): ModelBreaker {
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
