import type { IncomingHttpHeaders } from 'node:http';

/** One request the mock received, as `GET /__mock/requests` lists it. */
export interface RecordedRequest {
  /** `GET`, `POST`…; `WS` for a message received on a Responses WebSocket. */
  method: string;
  /** The path with its query string. */
  path: string;
  /** The request headers as Node parsed them (lower-case names). */
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body was JSON, the text otherwise, undefined when empty. */
  body: unknown;
  /** When it arrived (ms since the epoch). */
  receivedAt: number;
}

/** The last `capacity` requests, in a ring: recording costs one slot write. */
export class RequestLog {
  private ring: (RecordedRequest | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 100) {
    this.ring = new Array(capacity);
  }

  add(r: RecordedRequest): void {
    this.ring[this.next] = r;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Oldest first. */
  list(): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) out.push(this.ring[(start + i) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.ring = new Array(this.capacity);
    this.next = 0;
    this.size = 0;
  }
}
