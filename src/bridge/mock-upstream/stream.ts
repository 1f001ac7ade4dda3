import { setTimeout as delay } from 'node:timers/promises';
import type { Knobs } from './knobs.js';

/**
 * One event of a streamed answer, before it is put on a wire: SSE writes `event:`/`data:`
 * lines, the Responses WebSocket sends `data` as one text message. `content` marks the frames
 * that carry a piece of the answer (text, thinking, tool arguments): the ones the chunk delay
 * and `X-Mock-Abort-After` count.
 */
export interface Frame {
  event?: string;
  data: string;
  content?: boolean;
}

/** Where frames go: an SSE response or a WebSocket. */
export interface FrameSink {
  /** False once the peer went away. */
  readonly open: boolean;
  /** Writes one frame; a returned promise means "wait before the next one" (backpressure). */
  write(frame: Frame): void | Promise<void>;
  /** Cuts the connection once what was written is flushed: the peer sees a broken stream. */
  abort(): void;
  /** Ends the answer normally. */
  end(): void;
}

export type PumpResult = 'done' | 'aborted' | 'gone';

/** Waits `ms` (nothing at all for 0); resolves early, without throwing, when `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await delay(ms, undefined, { signal }).catch(() => {});
}

/**
 * Writes frames one by one as they are produced: each content frame waits the chunk delay
 * first, and after `abortAfter` content frames the connection is cut.
 */
export async function pumpFrames(
  frames: Iterable<Frame>,
  sink: FrameSink,
  knobs: Pick<Knobs, 'chunkDelayMs' | 'abortAfter'>,
  signal?: AbortSignal,
): Promise<PumpResult> {
  const abortAt = knobs.abortAfter;
  let sent = 0;
  if (abortAt === 0) {
    // Cut before the first content frame: the frames that open the stream still go out.
    for (const f of frames) {
      if (f.content) break;
      const w = sink.write(f);
      if (w) await w;
    }
    sink.abort();
    return 'aborted';
  }
  for (const f of frames) {
    if (!sink.open || signal?.aborted) return 'gone';
    if (f.content && knobs.chunkDelayMs > 0) {
      await sleep(knobs.chunkDelayMs, signal);
      if (!sink.open || signal?.aborted) return 'gone';
    }
    const w = sink.write(f);
    if (w) await w;
    if (f.content && ++sent === abortAt) {
      sink.abort();
      return 'aborted';
    }
  }
  if (!sink.open) return 'gone';
  sink.end();
  return 'done';
}
