import { createParser, type EventSourceParser } from 'eventsource-parser';

/** Bytes of one event the tap buffers at most; a larger event is not parsed (it still streams). */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a copy of an SSE stream: bytes in, the JSON payloads of its `data:` fields out. Chunk
 * boundaries may fall anywhere (inside a UTF-8 character, a line, an event); `[DONE]` and
 * payloads that are not JSON are skipped. The stream itself never waits on this parser.
 */
export class SseJsonParser {
  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser;
  private out: unknown[] = [];
  /** Set when an event outgrew the buffer; the rest of the stream is ignored. */
  broken = false;

  constructor() {
    this.parser = createParser({
      onEvent: (ev) => {
        const data = ev.data;
        if (data === '' || data === '[DONE]') return;
        try {
          this.out.push(JSON.parse(data));
        } catch {
          // Not JSON (a comment-like payload or a truncated event): nothing to record.
        }
      },
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') this.broken = true;
      },
      maxBufferSize: MAX_EVENT_BYTES,
    });
  }

  /** Feeds a chunk; returns the payloads it completed. */
  push(chunk: Uint8Array): unknown[] {
    if (this.broken) return [];
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    return this.take();
  }

  /** Ends the stream; returns a last payload left without its blank line. */
  end(): unknown[] {
    if (this.broken) return [];
    const rest = this.decoder.decode();
    // Ends a last line and dispatches a last event that had no blank line after it.
    this.parser.feed(rest + '\n\n');
    this.parser.reset();
    return this.take();
  }

  private take(): unknown[] {
    if (this.out.length === 0) return EMPTY;
    const out = this.out;
    this.out = [];
    return out;
  }
}

const EMPTY: unknown[] = [];
