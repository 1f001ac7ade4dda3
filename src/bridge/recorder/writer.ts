import type { Queryable } from '../../db/index.js';
import type { Logger } from '../../log.js';
import {
  recorderDropped,
  recorderQueueDepth,
  recorderRecordsWritten,
  recorderSpoolBytes,
  recorderSpoolRecords,
  recorderWriteFailures,
} from '../metrics.js';
import { writeRecords } from './queries.js';
import { Spool } from './spool.js';
import type {
  AnyRecord,
  InterceptionRecord,
  ModelThoughtRecord,
  PromptUsageRecord,
  Recorder,
  TokenUsageRecord,
  ToolUsageRecord,
} from './types.js';

export interface WriterOptions {
  db: Queryable & { ping(): Promise<void> };
  spoolDir: string;
  /** Records held in memory; past it the queue spills to the spool. */
  queueSize: number;
  /** Records per write. */
  batchSize: number;
  /** Longest a record waits in memory (ms). */
  flushInterval: number;
  log: Logger;
  /** A write that takes longer counts as failed (ms). */
  writeTimeout?: number;
  /** First and longest wait between replay attempts while the database is down (ms). */
  retryMin?: number;
  retryMax?: number;
  /** How long an interception's start is held back waiting for its end (ms); START_HOLD_MS. */
  startHold?: number;
}

/**
 * How long the start of an interception is held in memory for its end to arrive (ms). Most
 * requests end well within it and are written once, as one finished row; were starts queued at
 * once, a busy bridge would write the start in the next batch (a batch fills in tens of
 * milliseconds) and the end later as an UPDATE of the same row. A start still open after this
 * long is queued on its own, so long streams show as in-flight rows and survive a crash.
 */
export const START_HOLD_MS = 1000;

/**
 * The recorder of the bridge: the request path only pushes onto an array. Records are written
 * in batches (every `flushInterval`, or at once when a batch is full), in one statement per
 * batch. When a write fails the batch goes to the disk spool, and so does every later batch
 * until the spool has been replayed, oldest first, into the database (retrying with backoff).
 * Every insert is idempotent, so a batch written twice (a timed-out write that in fact
 * succeeded, a crash between write and unlink) is harmless.
 */
export class RecordWriter implements Recorder {
  private queue: AnyRecord[] = [];
  /** Interception starts still in the queue, so that their end can replace them in place. */
  private queuedStarts = new Map<string, InterceptionRecord>();
  /** Interception starts held back for their end (START_HOLD_MS), oldest first. */
  private heldStarts = new Map<string, { r: InterceptionRecord; at: number }>();
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly startHold: number;
  private readonly spool: Spool;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private rejectedTries = new Map<string, number>();
  /** Serialises spool appends so that batches land in the order they were taken. */
  private spoolChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly writeTimeout: number;
  private readonly retryMin: number;
  private readonly retryMax: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WriterOptions) {
    this.spool = new Spool(opts.spoolDir, (file, records, err) => {
      opts.log.error({ err, file, records }, 'spooled batch cannot be read back; moved to spool/rejected');
      recorderDropped.inc(records);
      this.updateSpoolMetrics();
    });
    this.writeTimeout = opts.writeTimeout ?? 10_000;
    this.retryMin = opts.retryMin ?? 250;
    this.retryMax = opts.retryMax ?? 15_000;
    this.retryDelay = this.retryMin;
    this.startHold = opts.startHold ?? START_HOLD_MS;
    this.updateSpoolMetrics();
    if (this.spool.pending) this.scheduleReplay(0);
  }

  recordInterception(r: InterceptionRecord): void {
    if (this.closed || r.endedAt !== null) return this.queueStart(r);
    this.heldStarts.set(r.id, { r, at: Date.now() });
    if (!this.holdTimer) this.scheduleHoldRelease(this.startHold);
  }

  private queueStart(r: InterceptionRecord): void {
    this.queuedStarts.set(r.id, r);
    this.push({ kind: 'interception', r });
  }

  private scheduleHoldRelease(delay: number): void {
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      this.releaseHeldStarts(Date.now() - this.startHold);
    }, Math.max(1, delay));
    this.holdTimer.unref();
  }

  /** Queues the held starts taken at or before `before` (all of them by default). */
  private releaseHeldStarts(before = Infinity): void {
    for (const [id, h] of this.heldStarts) {
      if (h.at > before) {
        if (!this.holdTimer && !this.closed) this.scheduleHoldRelease(h.at + this.startHold - Date.now());
        return;
      }
      this.heldStarts.delete(id);
      this.queueStart(h.r);
    }
  }

  recordInterceptionEnded(r: InterceptionRecord): void {
    if (this.heldStarts.delete(r.id)) {
      // Start and end in one record: one row written, once.
      this.push({ kind: 'interception', r });
      return;
    }
    const queued = this.queuedStarts.get(r.id);
    if (queued) {
      Object.assign(queued, r);
      this.queuedStarts.delete(r.id);
      return;
    }
    this.push({ kind: 'interception', r });
  }

  recordTokenUsage(r: TokenUsageRecord): void {
    this.push({ kind: 'token_usage', r });
  }

  recordPromptUsage(r: PromptUsageRecord): void {
    this.push({ kind: 'user_prompt', r });
  }

  recordToolUsage(r: ToolUsageRecord): void {
    this.push({ kind: 'tool_usage', r });
  }

  recordModelThought(r: ModelThoughtRecord): void {
    this.push({ kind: 'model_thought', r });
  }

  /** Records in memory, and in the spool. */
  get depth(): { queued: number; spooled: number } {
    return { queued: this.queue.length, spooled: this.spool.records };
  }

  private push(rec: AnyRecord): void {
    if (this.closed) {
      // A request that ends after shutdown began: nothing will flush later, so straight to disk.
      this.spool.appendSync([rec]);
      this.updateSpoolMetrics();
      return;
    }
    this.queue.push(rec);
    recorderQueueDepth.set(this.queue.length);
    if (this.queue.length > this.opts.queueSize) {
      // The database is slower than the traffic: the whole queue goes to disk, in order.
      const spill = this.takeAll();
      this.toSpool(spill);
      return;
    }
    if (this.queue.length >= this.opts.batchSize) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.kick(), this.opts.flushInterval);
      this.timer.unref();
    }
  }

  private takeAll(): AnyRecord[] {
    const out = this.queue;
    this.queue = [];
    this.queuedStarts.clear();
    recorderQueueDepth.set(0);
    return out;
  }

  private take(n: number): AnyRecord[] {
    const out = this.queue.length <= n ? this.takeAll() : this.queue.splice(0, n);
    for (const rec of out) if (rec.kind === 'interception') this.queuedStarts.delete(rec.r.id);
    recorderQueueDepth.set(this.queue.length);
    return out;
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length && !this.closed) this.kick();
      this.notifyIdle();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.take(this.opts.batchSize);
      if (this.spool.pending || this.replaying || this.replayTimer) {
        await this.toSpool(batch);
        continue;
      }
      try {
        await this.write(batch);
      } catch (err) {
        recorderWriteFailures.inc();
        this.opts.log.warn({ err, records: batch.length }, 'record write failed; spooling to disk');
        await this.toSpool(batch);
        this.scheduleReplay(this.retryMin);
      }
    }
  }

  private async write(batch: AnyRecord[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`record write timed out after ${this.writeTimeout} ms`)), this.writeTimeout);
    });
    try {
      await Promise.race([writeRecords(this.opts.db, batch), timeout]);
    } finally {
      clearTimeout(timer);
    }
    const counts = new Map<string, number>();
    for (const rec of batch) counts.set(rec.kind, (counts.get(rec.kind) ?? 0) + 1);
    for (const [kind, n] of counts) recorderRecordsWritten.inc({ kind }, n);
  }

  private toSpool(batch: AnyRecord[]): Promise<void> {
    const p = this.spoolChain.then(async () => {
      try {
        await this.spool.append(batch);
      } catch (err) {
        // The database and the disk both failed: nowhere is left to keep these records.
        this.opts.log.error({ err, records: batch.length }, 'record spool write failed; records dropped');
        recorderDropped.inc(batch.length);
      }
      this.updateSpoolMetrics();
      if (!this.replaying && !this.replayTimer && !this.closed) this.scheduleReplay(this.retryDelay);
    });
    this.spoolChain = p;
    return p;
  }

  private scheduleReplay(delay: number): void {
    if (this.closed || this.replayTimer || this.replaying) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      this.replaying = this.replay().then(
        (retryIn) => {
          this.replaying = undefined;
          if (retryIn !== undefined) this.scheduleReplay(retryIn);
          else if (this.queue.length) this.kick();
        },
        (err) => {
          this.replaying = undefined;
          this.opts.log.error({ err }, 'record spool replay failed');
          this.scheduleReplay(this.retryMax);
        },
      ).finally(() => this.notifyIdle());
    }, delay);
    this.replayTimer.unref();
  }

  /** Writes the spool back, oldest batch first; on failure, returns when to try again (ms). */
  private async replay(): Promise<number | undefined> {
    await this.spoolChain;
    while (!this.closed) {
      const next = await this.spool.oldest();
      if (!next) break;
      try {
        await this.write(next.records);
        await this.spool.remove(next.name);
        this.rejectedTries.delete(next.name);
        this.retryDelay = this.retryMin;
        this.updateSpoolMetrics();
      } catch (err) {
        recorderWriteFailures.inc();
        if (await this.databaseAnswers()) {
          // The database is up but refuses this batch: after a few tries, set it aside.
          const tries = (this.rejectedTries.get(next.name) ?? 0) + 1;
          this.rejectedTries.set(next.name, tries);
          if (tries >= 3) {
            this.opts.log.error({ err, file: next.name, records: next.records.length }, 'database rejects a spooled batch; moved to spool/rejected');
            recorderDropped.inc(next.records.length);
            await this.spool.reject(next.name);
            this.updateSpoolMetrics();
            continue;
          }
        }
        this.opts.log.debug({ err, retryInMs: this.retryDelay }, 'database still unavailable for records');
        const delay = this.retryDelay;
        this.retryDelay = Math.min(this.retryMax, this.retryDelay * 2);
        return delay;
      }
    }
    return undefined;
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await Promise.race([this.opts.db.ping(), new Promise((_, r) => setTimeout(r, 2000).unref())]);
      return true;
    } catch {
      return false;
    }
  }

  private updateSpoolMetrics(): void {
    recorderSpoolRecords.set(this.spool.records);
    recorderSpoolBytes.set(this.spool.bytes);
  }

  /** Wakes idle() waiters to look again. */
  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /**
   * Resolves once every record taken so far is in the database (the queue and the spool are
   * empty; held interception starts are queued at once). For tests and the benchmark;
   * production code never waits on it.
   */
  async idle(): Promise<void> {
    this.releaseHeldStarts();
    for (;;) {
      if (this.queue.length && !this.draining) this.kick();
      await this.spoolChain;
      if (this.spool.pending && !this.replaying && !this.replayTimer) this.scheduleReplay(0);
      if (!this.queue.length && !this.draining && !this.spool.pending && !this.replaying && !this.replayTimer) return;
      await new Promise<void>((r) => this.idleWaiters.push(r));
    }
  }

  /**
   * Flushes what is in memory: to the database when it answers, else to the spool, which the
   * next start replays. Waits for a write in progress; records that arrive later go straight to
   * the spool.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    await this.draining;
    this.closed = true;
    await this.replaying;
    await this.spoolChain;
    // Starts of requests still open are flushed too: they become in-flight rows.
    for (const h of this.heldStarts.values()) this.queue.push({ kind: 'interception', r: h.r });
    this.heldStarts.clear();
    const rest = this.takeAll();
    for (let i = 0; i < rest.length; i += this.opts.batchSize) {
      const batch = rest.slice(i, i + this.opts.batchSize);
      if (this.spool.pending) {
        this.spool.appendSync(batch);
        continue;
      }
      try {
        await this.write(batch);
      } catch (err) {
        this.opts.log.warn({ err, records: batch.length }, 'record write failed at shutdown; spooling to disk');
        this.spool.appendSync(batch);
      }
    }
    this.updateSpoolMetrics();
    this.notifyIdle();
  }
}
