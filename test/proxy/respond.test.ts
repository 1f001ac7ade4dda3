import { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endSocket } from '../../src/proxy/respond.js';

/** A socket stand-in that accepts writes and records them. */
function fakeSocket() {
  const written: string[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString());
      cb();
    },
  });
  return { socket, written };
}

describe('endSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a plain-text response and ends the socket', () => {
    const { socket, written } = fakeSocket();
    endSocket(socket, 403);
    expect(written.join('')).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*Connection: close\r\n\r\nForbidden$/);
    expect(socket.writableEnded).toBe(true);
  });

  it('destroys a socket whose peer never finishes closing after the grace period', () => {
    const { socket } = fakeSocket();
    endSocket(socket, 502);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(5000);
    expect(socket.destroyed).toBe(true);
  });

  it('clears its destroy timer once the socket closes', async () => {
    const { socket } = fakeSocket();
    endSocket(socket, 502);
    expect(vi.getTimerCount()).toBe(1);
    socket.destroy();
    await new Promise((r) => socket.once('close', r));
    expect(vi.getTimerCount()).toBe(0);
  });
});
