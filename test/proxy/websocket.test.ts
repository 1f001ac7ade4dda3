import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayUpgrade } from '../../src/proxy/websocket.js';
import { testLog } from '../helpers/log.js';
import { closeServer, listenLocal, rawExchange } from './helpers.js';

describe('relayUpgrade', () => {
  let silentBridge: Server;
  let bridgePort = 0;
  let front: Server;
  let frontPort = 0;
  const bridgeSockets: Socket[] = [];
  let done = 0;

  beforeAll(async () => {
    // Reads the upgrade request and never answers it.
    silentBridge = createServer(() => {});
    silentBridge.on('upgrade', (_req, socket: Socket) => bridgeSockets.push(socket));
    bridgePort = await listenLocal(silentBridge);
    front = createServer();
    front.on('upgrade', (req, socket, head) =>
      relayUpgrade(req, socket, head, {
        origin: new URL(`http://127.0.0.1:${bridgePort}`),
        path: '/api/v2/aibridge/openai/v1/responses',
        headers: ['Host', `127.0.0.1:${bridgePort}`, 'Upgrade', 'websocket', 'Connection', 'Upgrade'],
        provider: 'openai',
        requestId: 'rid',
        timeoutMs: 300,
        log: testLog,
        onDone: () => done++,
      }),
    );
    frontPort = await listenLocal(front);
  });
  afterAll(async () => {
    for (const s of bridgeSockets) s.destroy();
    await Promise.all([front && closeServer(front), silentBridge && closeServer(silentBridge)]);
  });

  it('answers 502 and finishes when the bridge never answers the upgrade', async () => {
    const started = Date.now();
    const { text, socket } = await rawExchange(
      frontPort,
      'GET /v1/responses HTTP/1.1\r\nHost: api.openai.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 502 /);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bridgeSockets.length).toBe(1);
    expect(done).toBe(1);
  });
});
