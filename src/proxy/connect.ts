import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LeafCache } from '../certs/index.js';
import type { TokenCheck } from '../db/index.js';
import type { Logger } from '../log.js';
import { allowlistedProvider } from './allowlist.js';
import type { BridgeForwarder } from './bridge-forward.js';
import { decideConnect, needsCredentials, parseConnectTarget, type ConnectVerdict } from './connect-verdict.js';
import { DialBlockedError } from './errors.js';
import { mitmSessions, tunneledSessions } from './metrics.js';
import { terminateTls } from './mitm.js';
import { parseAbsoluteHttp, type PlainHttpForwarder } from './plain-http.js';
import { tokenFromProxyAuthorization } from './proxy-auth.js';
import { endSocket, sendPlain } from './respond.js';
import { relay, type Dialer } from './tunnel.js';
import type { ProxySettings } from './validate.js';

export interface ProxyHandlerDeps {
  settings: ProxySettings;
  allowUnauthenticatedTunnels: boolean;
  handshakeTimeoutMs: number;
  tokenCheck: TokenCheck;
  leaves: LeafCache;
  mitmServer: Server;
  forwarder: BridgeForwarder;
  plain: PlainHttpForwarder;
  dialer: Dialer;
  /** Open tunnels (their upstream side), for shutdown. */
  tunnels: Set<Duplex>;
  log: Logger;
}

type AuthResult = { ok: true; token?: string } | { ok: false; status: 407 | 502 };

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/** The proxy listener's edges: CONNECT, plain absolute-URI requests, and plain upgrades. */
export function createProxyHandlers(d: ProxyHandlerDeps) {
  const { allowlist } = d.settings;

  /** Proxy authentication on every use: Basic, password = API token, checked (cached) against the control plane. */
  async function authenticate(req: IncomingMessage, verdict: ConnectVerdict): Promise<AuthResult> {
    const token = tokenFromProxyAuthorization(req.headers['proxy-authorization']);
    const required = needsCredentials(verdict, d.allowUnauthenticatedTunnels);
    if (!token) return required ? { ok: false, status: 407 } : { ok: true };
    try {
      const principal = await d.tokenCheck(token);
      if (principal) return { ok: true, token };
    } catch (err) {
      d.log.warn({ err }, 'token check failed');
      return required ? { ok: false, status: 502 } : { ok: true };
    }
    return required ? { ok: false, status: 407 } : { ok: true };
  }

  async function onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const target = parseConnectTarget(req.url ?? '');
    if (!target) return endSocket(socket, 400);
    const { host, port } = target;
    const verdict = decideConnect(host, port, allowlist);
    d.log.debug({ host, port, verdict: verdict.kind }, 'CONNECT');
    if (verdict.kind === 'reject') return endSocket(socket, 403);
    const auth = await authenticate(req, verdict);
    if (!auth.ok) {
      d.log.debug({ host, port, status: auth.status }, 'CONNECT refused');
      return endSocket(socket, auth.status);
    }
    if (socket.destroyed) return;

    if (verdict.kind === 'mitm') {
      let ctx;
      try {
        ctx = d.leaves.peek(host) ?? (await d.leaves.get(host));
      } catch (err) {
        d.log.error({ err, host }, 'minting a leaf certificate failed');
        return endSocket(socket, 502);
      }
      if (socket.destroyed) return;
      mitmSessions.inc();
      socket.write(ESTABLISHED);
      terminateTls(socket, head, ctx, { host, port, provider: verdict.provider, token: auth.token! }, d.mitmServer, d.handshakeTimeoutMs, d.log);
      return;
    }

    let upstream: Duplex;
    try {
      upstream = await d.dialer.dial(host, port);
    } catch (err) {
      if (err instanceof DialBlockedError) {
        d.log.info({ host, port }, 'tunnel to a private address refused');
        return endSocket(socket, 403);
      }
      d.log.debug({ err, host, port }, 'tunnel dial failed');
      return endSocket(socket, 502);
    }
    if (socket.destroyed) {
      upstream.destroy();
      return;
    }
    tunneledSessions.inc();
    d.tunnels.add(upstream);
    upstream.once('close', () => d.tunnels.delete(upstream));
    socket.write(ESTABLISHED);
    if (head.length) upstream.write(head);
    relay(socket, upstream);
  }

  /** Plain `http://` absolute-URI requests: allowlisted hosts go to the bridge, others to their origin. */
  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseAbsoluteHttp(req.url ?? '');
    if (!target) return sendPlain(res, 400);
    const verdict = decideConnect(target.host, target.port, allowlist);
    if (verdict.kind === 'reject') return sendPlain(res, 403);
    const auth = await authenticate(req, verdict);
    if (!auth.ok) return sendPlain(res, auth.status);
    if (verdict.kind === 'mitm') {
      d.forwarder.forward(req, res, { host: target.host, port: target.port, provider: verdict.provider, token: auth.token! });
      return;
    }
    d.plain.forward(req, res, target);
  }

  /** Plain `ws://` upgrades through the proxy: relayed to the bridge for allowlisted hosts. */
  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const target = parseAbsoluteHttp(req.url ?? '');
    if (!target) return endSocket(socket, 400);
    const verdict = decideConnect(target.host, target.port, allowlist);
    if (verdict.kind === 'reject') return endSocket(socket, 403);
    const auth = await authenticate(req, verdict);
    if (!auth.ok) return endSocket(socket, auth.status);
    const provider = allowlistedProvider(allowlist, target.host, target.port);
    // Upgrades to other hosts need CONNECT (what WebSocket clients behind a proxy use).
    if (!provider) return endSocket(socket, 501);
    d.forwarder.upgrade(req, socket, head, { host: target.host, port: target.port, provider, token: auth.token! });
  }

  const guard =
    <A extends unknown[]>(name: string, fn: (...a: A) => Promise<void>) =>
    (...a: A): void => {
      fn(...a).catch((err: unknown) => {
        d.log.error({ err }, `${name} handler failed`);
        (a[1] as { destroy(): void }).destroy();
      });
    };

  return {
    onConnect: guard('connect', onConnect),
    onRequest: guard('request', onRequest),
    onUpgrade: guard('upgrade', onUpgrade),
  };
}
