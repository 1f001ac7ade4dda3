import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

describe('log redaction', () => {
  it('never writes tokens, keys, credentials or cookies, wherever they sit', () => {
    const { log, lines } = capture();
    const secrets = ['Bearer sk-live-1', 'Basic Y29kZXI6dG9r', 'sk-ant-2', 'abcdefghij-0123456789012345678901', 'coder_session_token=s3', 'hunter2', 'tok-3', 'key-4'];
    log.info(
      {
        req: {
          headers: {
            authorization: secrets[0],
            'proxy-authorization': secrets[1],
            'x-api-key': secrets[2],
            'x-coder-token': secrets[3],
            cookie: secrets[4],
            'user-agent': 'curl/8',
          },
        },
        password: secrets[5],
        token: secrets[6],
        provider: { key: secrets[7] },
      },
      'request',
    );
    const out = lines.join('');
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).toContain('curl/8');
    expect(out).toContain('[REDACTED]');
  });
});
