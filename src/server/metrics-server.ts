import { createServer, type Server } from 'node:http';
import { registry } from '../metrics/index.js';
import { listen } from './listen.js';

/** Serves the Prometheus registry at /metrics on its own listener. */
export async function startMetricsServer(address: string): Promise<{ address: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } catch (err) {
      res.writeHead(500).end((err as Error).message);
    }
  });
  const bound = await listen(server, address);
  return {
    address: bound,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
