import { AibridgeError } from '../errors.js';

/** A tunnel target resolved only to blocked (private) addresses; the client gets 403. */
export class DialBlockedError extends AibridgeError {
  constructor(readonly host: string) {
    super('PROXY_DIAL_BLOCKED', `${host} resolves to a private address`);
  }
}

/** The upstream proxy refused or failed a CONNECT; the client gets 502. */
export class UpstreamProxyError extends AibridgeError {
  constructor(message: string, opts?: ErrorOptions) {
    super('PROXY_UPSTREAM_FAILED', message, opts);
  }
}

/** A dial took longer than the connect timeout; the client gets 502. */
export class DialTimeoutError extends AibridgeError {
  constructor(readonly host: string) {
    super('PROXY_DIAL_TIMEOUT', `connecting to ${host} timed out`);
  }
}
