import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteTokenCheck } from '../../src/cli/remote-token-check.js';

function listen(server: Server): Promise<string> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('remoteTokenCheck', () => {
  let silent: Server;
  let silentUrl = '';
  let answering: Server;
  let answeringUrl = '';

  beforeAll(async () => {
    // Accepts the request and never answers.
    silent = createServer(() => {});
    silentUrl = await listen(silent);
    answering = createServer((req, res) => {
      if (req.headers['coder-session-token'] !== 'abcdefghij-good') return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'u1', username: 'alice', roles: [{ name: 'member' }] }));
    });
    answeringUrl = await listen(answering);
  });
  afterAll(async () => {
    for (const s of [silent, answering]) {
      s?.closeAllConnections();
      await new Promise((r) => s?.close(r));
    }
  });

  it('gives up on a server that never answers, with an error (so the proxy answers 502, not 407)', async () => {
    const check = remoteTokenCheck(silentUrl, 200);
    const started = Date.now();
    await expect(check('abcdefghij-good')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('accepts a token the server accepts and refuses one it rejects', async () => {
    const check = remoteTokenCheck(answeringUrl, 2000);
    expect(await check('abcdefghij-good')).toMatchObject({ userId: 'u1', username: 'alice', apiKeyId: 'abcdefghij', roles: ['member'] });
    expect(await check('abcdefghij-bad')).toBeUndefined();
  });
});
