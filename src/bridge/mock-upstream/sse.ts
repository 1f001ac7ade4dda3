import type { ServerResponse } from 'node:http';
import type { Frame, FrameSink } from './stream.js';

/** The SSE text of one frame: `event: X` (when named) and `data: Y`, then a blank line. */
export function sseText(f: Frame): string {
  return f.event === undefined ? `data: ${f.data}\n\n` : `event: ${f.event}\ndata: ${f.data}\n\n`;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Starts a `text/event-stream` response and returns a sink writing each frame with its own
 * `res.write`, as the providers do (no buffering, backpressure honoured).
 */
export function sseSink(res: ServerResponse, headers: Record<string, string>): FrameSink {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  return {
    get open() {
      return !res.destroyed && !res.writableEnded;
    },
    write(f) {
      // Node corks a response's socket until the next tick, so frames written in one tick (no
      // chunk delay) share a syscall; a delayed frame leaves on its own as soon as it is written.
      if (!res.write(sseText(f))) return drained(res);
    },
    abort() {
      const socket = res.socket;
      if (!socket) return;
      // end() flushes what was written, then FIN: the client sees a chunked body cut short.
      socket.end();
      socket.once('finish', () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    },
    end() {
      res.end();
    },
  };
}
