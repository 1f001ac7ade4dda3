import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** A closed circuit forgets its failure count after this long (ms). */
  interval: number;
  /** How long an open circuit rejects before it goes half-open (ms). */
  timeout: number;
  /** Requests admitted while half-open. */
  maxRequests: number;
}

export interface BreakerHooks {
  onState?(state: BreakerState): void;
  onTrip?(): void;
  onReject?(): void;
}

/** Thrown into opossum for an upstream answer that counts as a failure. */
class UpstreamFailure extends Error {
  constructor() {
    super('upstream failure status');
  }
}

/** Refusal of an open (or saturated half-open) circuit. */
export class CircuitOpen extends Error {
  readonly code = 'CIRCUIT_OPEN';
  constructor() {
    super('circuit breaker is open');
  }
}

/**
 * A call through the breaker: starts the upstream request and resolves, at the response
 * headers or at a transport error, with whether the answer counts as a failure (see
 * verdict.ts). It must not reject: a rejection would count as a failure.
 */
export type Attempt = () => Promise<boolean>;

/**
 * One circuit, Coder's way (sony/gobreaker, as Coder configures it) on top of opossum.
 *
 * opossum trips on an error percentage over a rolling window and admits one trial request
 * when half-open; Coder trips on a count of consecutive failures, forgets that count every
 * `interval` while closed, and admits up to `maxRequests` trial requests when half-open. The
 * mapping: opossum keeps the state, the reset timer (`resetTimeout` = Coder's timeout), the
 * events and the stats, and its own percentage rule is switched off (a volume threshold that
 * is never reached); this class counts consecutive failures and calls `open()`, and admits the
 * extra half-open trials itself, closing on their first success and reopening on a failure.
 */
export class ModelBreaker {
  readonly cb: CircuitBreaker<[Attempt], boolean>;
  private consecutive = 0;
  private windowStart: number;
  private halfOpenAdmitted = 0;

  constructor(
    readonly opts: BreakerOptions,
    private readonly hooks: BreakerHooks = {},
    private readonly now: () => number = Date.now,
  ) {
    this.windowStart = now();
    this.cb = new CircuitBreaker(
      async (attempt: Attempt) => {
        if (await attempt()) throw new UpstreamFailure();
        return true;
      },
      {
        timeout: false,
        resetTimeout: opts.timeout,
        volumeThreshold: Number.MAX_SAFE_INTEGER,
        errorThresholdPercentage: 100,
        rollingCountTimeout: Math.max(opts.interval, 1000),
        rollingCountBuckets: 1,
        enableSnapshots: false,
      },
    );
    this.cb.on('failure', () => {
      if (this.cb.closed) this.countFailure();
    });
    this.cb.on('success', () => {
      if (this.cb.closed) this.consecutive = 0;
    });
    this.cb.on('open', () => {
      this.consecutive = 0;
      this.halfOpenAdmitted = 0;
      this.hooks.onTrip?.();
      this.hooks.onState?.('open');
    });
    this.cb.on('halfOpen', () => {
      this.halfOpenAdmitted = 0;
      this.hooks.onState?.('half-open');
    });
    this.cb.on('close', () => {
      this.consecutive = 0;
      this.windowStart = this.now();
      this.hooks.onState?.('closed');
    });
    this.cb.on('reject', () => this.hooks.onReject?.());
  }

  get state(): BreakerState {
    if (this.cb.opened) return 'open';
    if (this.cb.halfOpen) return 'half-open';
    return 'closed';
  }

  /**
   * Runs `attempt` through the circuit. Resolves when the attempt settles; rejects with
   * CircuitOpen (without running it) while the circuit is open or its half-open quota is used.
   */
  async execute(attempt: Attempt): Promise<void> {
    if (this.cb.halfOpen) return this.trial(attempt);
    try {
      await this.cb.fire(attempt);
    } catch (err) {
      if (err instanceof UpstreamFailure) return;
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw new CircuitOpen();
      throw err;
    }
  }

  /** A half-open trial: the first goes through opossum (which admits one), the rest through here. */
  private async trial(attempt: Attempt): Promise<void> {
    if (this.halfOpenAdmitted >= this.opts.maxRequests) {
      this.hooks.onReject?.();
      throw new CircuitOpen();
    }
    this.halfOpenAdmitted++;
    if (this.cb.pendingClose) {
      try {
        await this.cb.fire(attempt);
      } catch (err) {
        if (err instanceof UpstreamFailure) return;
        throw err;
      }
      return;
    }
    const failed = await attempt();
    if (this.cb.halfOpen) {
      if (failed) this.cb.open();
      else this.cb.close();
    } else if (this.cb.closed) {
      if (failed) this.countFailure();
      else this.consecutive = 0;
    }
  }

  private countFailure(): void {
    const t = this.now();
    if (t - this.windowStart >= this.opts.interval) {
      this.windowStart = t;
      this.consecutive = 0;
    }
    this.consecutive++;
    if (this.consecutive >= this.opts.failureThreshold) this.cb.open();
  }

  shutdown(): void {
    this.cb.shutdown();
  }
}
