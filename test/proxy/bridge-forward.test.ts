import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Exchange } from '../../src/proxy/bridge-forward.js';
import { metricValue } from './helpers.js';
import { testLog } from '../helpers/log.js';

/** A client response whose socket buffer is full until drain() is called. */
class FakeResponse extends EventEmitter {
  headersSent = false;
  written: string[] = [];
  full = false;
  ended = false;
  destroyed = false;
  status = 0;
  headers: string[] = [];
  writeHead(status: number, _msg: string | undefined, headers: string[]) {
    this.status = status;
    this.headers = headers;
    this.headersSent = true;
    return this;
  }
  write(chunk: Buffer): boolean {
    this.written.push(chunk.toString());
    return !this.full;
  }
  end(): void {
    this.ended = true;
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  drain(): void {
    this.full = false;
    this.emit('drain');
  }
}

function exchange(provider = 'openai') {
  const res = new FakeResponse();
  let settled = 0;
  const ex = new Exchange({ settle: () => settled++, log: testLog }, res as unknown as ServerResponse, provider, 'rid');
  return { res, ex, settled: () => settled };
}

describe('Exchange (one decrypted request)', () => {
  it('pauses the bridge connection while the client is full and resumes it on drain', () => {
    const { res, ex } = exchange();
    let resumed = 0;
    ex.onHeaders(200, [Buffer.from('Content-Type'), Buffer.from('text/event-stream')], () => resumed++, 'OK');
    expect(ex.onData(Buffer.from('a'))).toBe(true);
    res.full = true;
    expect(ex.onData(Buffer.from('b'))).toBe(false);
    expect(resumed).toBe(0);
    res.drain();
    expect(resumed).toBe(1);
    expect(ex.onData(Buffer.from('c'))).toBe(true);
    expect(res.written).toEqual(['a', 'b', 'c']);
  });

  it('drops hop-by-hop headers from the bridge response', () => {
    const { res, ex } = exchange();
    const raw = ['Content-Type', 'application/json', 'Connection', 'keep-alive', 'Transfer-Encoding', 'chunked', 'X-Request-Id', 'r1'].map((s) => Buffer.from(s));
    ex.onHeaders(201, raw, () => {}, 'Created');
    expect(res.status).toBe(201);
    expect(res.headers).toEqual(['Content-Type', 'application/json', 'X-Request-Id', 'r1']);
  });

  it('ignores interim 1xx responses', () => {
    const { res, ex } = exchange();
    expect(ex.onHeaders(100, [], () => {}, 'Continue')).toBe(true);
    expect(res.headersSent).toBe(false);
  });

  it('answers 502 when the bridge fails before any header, and settles once', async () => {
    const before = await metricValue('coder_aibridgeproxyd_mitm_responses_total', { code: '502', provider: 'anthropic' });
    const { res, ex, settled } = exchange('anthropic');
    ex.onError(new Error('ECONNREFUSED'));
    expect(res.status).toBe(502);
    expect(res.ended).toBe(true);
    expect(settled()).toBe(1);
    expect(await metricValue('coder_aibridgeproxyd_mitm_responses_total', { code: '502', provider: 'anthropic' })).toBe(before + 1);
  });

  it('cuts the client connection when the bridge fails mid-stream', () => {
    const { res, ex, settled } = exchange();
    ex.onHeaders(200, [], () => {}, 'OK');
    ex.onData(Buffer.from('partial'));
    ex.onError(new Error('socket hang up'));
    expect(res.destroyed).toBe(true);
    expect(settled()).toBe(1);
  });

  it('aborts the bridge request when the client goes away, and settles once', () => {
    const { res, ex, settled } = exchange();
    let aborted: Error | undefined;
    ex.onConnect((err) => (aborted = err));
    res.emit('close');
    expect(aborted?.message).toBe('client closed the connection');
    ex.onError(aborted!);
    expect(settled()).toBe(1);
  });

  it('keeps the in-flight gauge balanced', async () => {
    const before = await metricValue('coder_aibridgeproxyd_inflight_mitm_requests', { provider: 'openai' });
    const { ex } = exchange();
    expect(await metricValue('coder_aibridgeproxyd_inflight_mitm_requests', { provider: 'openai' })).toBe(before + 1);
    ex.onHeaders(200, [], () => {}, 'OK');
    ex.onComplete();
    expect(await metricValue('coder_aibridgeproxyd_inflight_mitm_requests', { provider: 'openai' })).toBe(before);
  });
});

describe('Exchange with a response Node refuses to send', () => {
  it('answers 502 and aborts the bridge request instead of throwing', () => {
    const res = new FakeResponse();
    let calls = 0;
    res.writeHead = function (this: FakeResponse, status: number) {
      if (calls++ === 0) throw Object.assign(new TypeError('Invalid character in header content'), { code: 'ERR_INVALID_CHAR' });
      this.status = status;
      this.headersSent = true;
      return this;
    };
    let settled = 0;
    const ex = new Exchange({ settle: () => settled++, log: testLog }, res as unknown as ServerResponse, 'openai', 'rid');
    let aborted: Error | undefined;
    ex.onConnect((err) => (aborted = err));
    expect(ex.onHeaders(200, [Buffer.from('X-Bad'), Buffer.from('a\u0001b')], () => {}, 'OK')).toBe(false);
    expect(res.status).toBe(502);
    expect(aborted).toBeDefined();
    expect(settled).toBe(1);
  });
});
