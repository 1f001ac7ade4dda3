import type { Server } from 'node:net';

/** Splits "host:port" ("[::1]:0" too). */
export function splitAddress(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid address ${addr}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/** Listens on "host:port" and resolves with the bound address (port 0 picks a free one). */
export function listen(server: Server, addr: string): Promise<string> {
  const { host, port } = splitAddress(addr);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address();
      if (a && typeof a === 'object') resolve(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
      else reject(new Error('listener has no address'));
    });
  });
}
