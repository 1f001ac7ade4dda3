import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { Shot } from './load.js';

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A keep-alive client that reaches origins through an HTTP proxy (CONNECT), trusting `ca`. */
export function proxyClient(proxyPort: number, ca: string | undefined, auth?: string, connections = 64): Dispatcher {
  return new ProxyAgent({
    uri: `http://127.0.0.1:${proxyPort}`,
    token: auth,
    requestTls: ca ? { ca } : undefined,
    connections,
    keepAliveTimeout: 60_000,
  });
}

export function directClient(ca?: string, connections = 64): Dispatcher {
  return new Agent({ connections, keepAliveTimeout: 60_000, connect: ca ? { ca } : undefined });
}

/** GET url, read the whole body; a non-2xx status is a failure. */
export function getShot(dispatcher: Dispatcher, url: string, headers: Record<string, string> = {}): Shot {
  return async () => {
    const res = await request(url, { dispatcher, headers });
    await res.body.arrayBuffer();
    if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}`);
  };
}

export function postShot(dispatcher: Dispatcher, url: string, body: unknown, headers: Record<string, string> = {}): Shot {
  const data = JSON.stringify(body);
  return async () => {
    const res = await request(url, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: data });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}: ${text.slice(0, 200)}`);
  };
}

/** POST and resolve with the time to the first body byte (ms), reading the rest. */
export async function ttfb(dispatcher: Dispatcher, url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const res = await request(url, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  let first = NaN;
  for await (const _chunk of res.body) {
    if (Number.isNaN(first)) first = performance.now() - t0;
  }
  if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}`);
  return first;
}
