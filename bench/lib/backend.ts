import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }] }));
const ME = Buffer.from(JSON.stringify({ id: '00000000-0000-4000-8000-000000000001', username: 'bench', roles: [] }));

function handle(req: IncomingMessage, res: ServerResponse) {
  req.resume();
  req.on('end', () => {
    const body = req.url?.startsWith('/api/v2/users/me') ? ME : BODY;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
}

/** A minimal backend: the same small JSON for every path (and a user for /api/v2/users/me). */
export async function startBackend(tls?: { key: string; cert: string }): Promise<{ port: number; close(): Promise<void> }> {
  const server = tls ? createHttps({ key: tls.key, cert: tls.cert }, handle) : createHttp(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
