import { describe, expect, it } from 'vitest';
import { SseJsonParser } from '../../../src/bridge/sse/parser.js';

const stream = Buffer.from(
  'event: message_start\ndata: {"type":"message_start","n":1}\n\n' +
    ': a comment\n\n' +
    'data: {"text":"h\u00e9llo \u{1F600}"}\r\n\r\n' +
    'event: ping\ndata: {"type":"ping"}\n\n' +
    'data: not json\n\n' +
    'data: {"a":\ndata: 1}\n\n' +
    'data: [DONE]\n\n',
);
const want = [{ type: 'message_start', n: 1 }, { text: 'h\u00e9llo \u{1F600}' }, { type: 'ping' }, { a: 1 }];

describe('SseJsonParser', () => {
  it('reads the JSON payloads of a stream fed whole', () => {
    const p = new SseJsonParser();
    expect([...p.push(stream), ...p.end()]).toEqual(want);
  });

  it('reads the same payloads whatever the chunk boundaries, inside UTF-8 characters included', () => {
    for (let size = 1; size <= 17; size++) {
      const p = new SseJsonParser();
      const got: unknown[] = [];
      for (let i = 0; i < stream.length; i += size) got.push(...p.push(stream.subarray(i, i + size)));
      got.push(...p.end());
      expect(got, `chunks of ${size} bytes`).toEqual(want);
    }
  });

  it('returns a last event that has no blank line after it at the end', () => {
    const p = new SseJsonParser();
    expect(p.push(Buffer.from('data: {"x":1}\n'))).toEqual([]);
    expect(p.end()).toEqual([{ x: 1 }]);
  });

  it('stops reading (without failing) an event larger than its buffer', () => {
    const p = new SseJsonParser();
    const huge = Buffer.alloc(17 * 1024 * 1024, 'a');
    p.push(Buffer.from('data: "'));
    p.push(huge);
    expect(p.broken).toBe(true);
    expect(p.push(Buffer.from('"\n\ndata: {"x":1}\n\n'))).toEqual([]);
  });
});
