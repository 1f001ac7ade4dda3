import type { IncomingHttpHeaders } from 'node:http';
import type { Tap } from '../relay.js';
import { SseJsonParser } from '../sse/parser.js';
import type { EndpointAdapter, Observation, StreamObserver } from './types.js';

/** Largest blocking body read for recording; a larger one still streams, unrecorded. */
const MAX_BLOCKING_BYTES = 32 * 1024 * 1024;

/**
 * The copy of a bridged response that the recorder reads: SSE events through the endpoint's
 * stream observer as they pass, or the whole JSON body once it has been sent. Only successful
 * (2xx) responses are read; errors pass through unread.
 */
export class ObservingTap implements Tap {
  private mode: 'none' | 'sse' | 'json' = 'none';
  private sse: SseJsonParser | undefined;
  private observer: StreamObserver | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private result: Observation | undefined;

  constructor(private readonly adapter: EndpointAdapter) {}

  start(status: number, headers: IncomingHttpHeaders): void {
    if (status < 200 || status >= 300) return;
    const ct = String(headers['content-type'] ?? '');
    if (ct.includes('text/event-stream')) {
      this.mode = 'sse';
      this.sse = new SseJsonParser();
      this.observer = this.adapter.observeStream();
    } else if (ct.includes('json')) {
      this.mode = 'json';
    }
  }

  data(chunk: Buffer): void {
    if (this.mode === 'sse') {
      const events = this.sse!.push(chunk);
      for (let i = 0; i < events.length; i++) this.observer!.onEvent(events[i]);
    } else if (this.mode === 'json') {
      this.size += chunk.length;
      if (this.size > MAX_BLOCKING_BYTES) {
        this.mode = 'none';
        this.chunks = [];
      } else this.chunks.push(chunk);
    }
  }

  end(): void {
    this.observation();
  }

  /** What the response said; for a stream cut short, what it said so far. */
  observation(): Observation | undefined {
    if (this.result) return this.result;
    if (this.mode === 'sse') {
      for (const ev of this.sse!.end()) this.observer!.onEvent(ev);
      this.result = this.observer!.result();
    } else if (this.mode === 'json') {
      try {
        const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
        this.result = this.adapter.readResponse(JSON.parse(buf.toString('utf8')));
      } catch {
        this.result = undefined;
      }
      this.chunks = [];
    }
    this.mode = 'none';
    return this.result;
  }
}
