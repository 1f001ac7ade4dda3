import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { endSocket } from './respond.js';

/** Limits applied to the proxy listener and to decrypted connections alike. */
export interface HttpLimits {
  /** Total request header bytes (Node rejects more with 431). */
  maxHeaderBytes: number;
  /** Headers per request; more gets 431. */
  maxHeaderCount: number;
  headerTimeoutMs: number;
  idleTimeoutMs: number;
  /** How often Node checks header timeouts (its default of 30 s would stretch a 10 s limit). */
  checkIntervalMs: number;
}

/** Header bytes: Node's 16 KiB default is tight for some clients' cookies; Go allows 1 MiB. */
export const MAX_HEADER_BYTES = 64 * 1024;

export function httpLimits(config: Config, maxHeaderCount: number): HttpLimits {
  const headerTimeoutMs = config.proxy.headerTimeout;
  return {
    maxHeaderBytes: MAX_HEADER_BYTES,
    maxHeaderCount,
    headerTimeoutMs,
    idleTimeoutMs: config.proxy.idleTimeout,
    checkIntervalMs: Math.max(50, Math.min(1000, Math.floor(headerTimeoutMs / 4))),
  };
}

/**
 * Malformed input gets a clear plain-text 4xx and the connection closes; errors that are not
 * about HTTP parsing (resets, broken TLS) just close it.
 */
export function clientErrorHandler(log: Logger) {
  return (err: NodeJS.ErrnoException, socket: Duplex | Socket): void => {
    const code = err.code ?? '';
    let status: number | undefined;
    if (code === 'HPE_HEADER_OVERFLOW') status = 431;
    else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') status = 408;
    else if (code.startsWith('HPE_')) status = 400;
    if (status === undefined || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    log.debug({ code }, 'malformed request');
    endSocket(socket, status);
  };
}
