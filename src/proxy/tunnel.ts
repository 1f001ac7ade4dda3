import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { DialBlockedError, DialTimeoutError, UpstreamProxyError } from './errors.js';
import { isBlockedAddress, type Cidr } from './private-address.js';
import type { UpstreamProxy } from './upstream.js';

export interface DialerOptions {
  upstream?: UpstreamProxy;
  upstreamCa?: string;
  /** Private ranges tunnels may reach anyway (`proxy.allowedPrivateCidrs`). */
  exceptions: readonly Cidr[];
  /** host:port pairs exempt from the guard (the bridge's own address, as Coder exempts its access URL). */
  exemptHostPorts: ReadonlySet<string>;
  connectTimeoutMs: number;
  /** The DNS resolver behind the guard (tests inject one). */
  resolve?: typeof dnsLookup;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup that drops blocked addresses, for `net.connect({ lookup })`: the check runs on
 * the addresses the socket will actually dial, so a name that resolves differently the second
 * time (DNS rebinding) cannot slip past it. Fails with DialBlockedError when nothing is left.
 */
export function guardedLookup(exceptions: readonly Cidr[], resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) return callback(err, '');
      const ok = (addresses as LookupAddress[]).filter((a) => !isBlockedAddress(a.address, exceptions));
      if (ok.length === 0) return callback(new DialBlockedError(hostname) as unknown as NodeJS.ErrnoException, '');
      if (options.all) callback(null, ok);
      else callback(null, ok[0].address, ok[0].family);
    });
  };
}

function waitConnected(socket: Socket, event: 'connect' | 'secureConnect', host: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DialTimeoutError(host));
    }, timeoutMs);
    socket.once(event, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
  });
}

/** Opens TCP connections for tunnels and plain HTTP: directly with the guard, or via the upstream proxy. */
export class Dialer {
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(private readonly opts: DialerOptions) {
    this.lookup = guardedLookup(opts.exceptions, opts.resolve);
  }

  /** Whether the guard applies to host:port (it does unless exempt). */
  guarded(host: string, port: number): boolean {
    return !this.opts.exemptHostPorts.has(`${host}:${port}`);
  }

  /** The lookup function for http.request to a guarded origin. */
  lookupFor(host: string, port: number): ReturnType<typeof guardedLookup> | undefined {
    return this.guarded(host, port) ? this.lookup : undefined;
  }

  /** Throws DialBlockedError when host is an IP literal in a blocked range. */
  checkLiteral(host: string, port: number): void {
    if (isIP(host) && this.guarded(host, port) && isBlockedAddress(host, this.opts.exceptions)) throw new DialBlockedError(host);
  }

  /** A connected socket to host:port, for a tunnel. */
  async dial(host: string, port: number): Promise<Duplex> {
    return this.opts.upstream ? this.dialViaUpstream(this.opts.upstream, host, port) : this.dialDirect(host, port);
  }

  private dialDirect(host: string, port: number): Promise<Socket> {
    this.checkLiteral(host, port);
    const socket = netConnect({ host, port, lookup: this.lookupFor(host, port), noDelay: true });
    return waitConnected(socket, 'connect', host, this.opts.connectTimeoutMs);
  }

  /**
   * With an upstream proxy the name is resolved here before the upstream dials it (as Coder
   * does), so the guard still refuses private targets; a name that does not resolve here is
   * left to the upstream. Plain http:// requests through the upstream run it too.
   */
  async precheck(host: string, port: number): Promise<void> {
    this.checkLiteral(host, port);
    if (isIP(host) || !this.guarded(host, port)) return;
    const addresses = await new Promise<LookupAddress[] | undefined>((resolve) =>
      (this.opts.resolve ?? dnsLookup)(host, { all: true }, (err, a) => resolve(err ? undefined : a)),
    );
    if (addresses && addresses.length && addresses.every((a) => isBlockedAddress(a.address, this.opts.exceptions))) {
      throw new DialBlockedError(host);
    }
  }

  private async dialViaUpstream(up: UpstreamProxy, host: string, port: number): Promise<Duplex> {
    await this.precheck(host, port);
    const socket =
      up.protocol === 'https:'
        ? tlsConnect({ host: up.host, port: up.port, ca: this.opts.upstreamCa, servername: isIP(up.host) ? undefined : up.host, ALPNProtocols: ['http/1.1'] })
        : netConnect({ host: up.host, port: up.port, noDelay: true });
    try {
      await waitConnected(socket, up.protocol === 'https:' ? 'secureConnect' : 'connect', `${up.host}:${up.port}`, this.opts.connectTimeoutMs);
    } catch (err) {
      throw new UpstreamProxyError('cannot reach the upstream proxy', { cause: err });
    }
    const authority = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    socket.write(
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n` +
        (up.authorization ? `Proxy-Authorization: ${up.authorization}\r\n` : '') +
        '\r\n',
    );
    await readConnectResponse(socket, this.opts.connectTimeoutMs);
    return socket;
  }
}

const MAX_RESPONSE_HEAD = 16 * 1024;

/** Reads the upstream's answer to CONNECT; resolves on 2xx with any extra bytes unshifted. */
function readConnectResponse(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new UpstreamProxyError('the upstream proxy did not answer CONNECT in time')), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('end', onEnd);
    };
    const fail = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(err instanceof UpstreamProxyError ? err : new UpstreamProxyError('the upstream proxy connection failed', { cause: err }));
    };
    const onEnd = () => fail(new UpstreamProxyError('the upstream proxy closed the connection'));
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buf.length > MAX_RESPONSE_HEAD) fail(new UpstreamProxyError('the upstream proxy sent an oversized response'));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, Math.min(end, 64)).toString('latin1'));
      if (!status || status[1][0] !== '2') {
        fail(new UpstreamProxyError(`the upstream proxy answered CONNECT with ${status ? status[1] : 'garbage'}`));
        return;
      }
      cleanup();
      socket.pause();
      const rest = buf.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve();
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('end', onEnd);
  });
}

/**
 * Relays bytes both ways until either side is done. A side that ends cleanly lets the other
 * finish writing first; an error tears both down.
 */
export function relay(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const finish = (other: Duplex) => (hadError?: boolean) => {
    if (other.destroyed) return;
    if (hadError) {
      other.destroy();
      return;
    }
    other.end();
    other.once('finish', () => other.destroy());
    setTimeout(() => other.destroy(), 5000).unref();
  };
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.once('close', finish(b));
  b.once('close', finish(a));
}
