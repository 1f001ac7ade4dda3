import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { ClientGoneError, sendProviderError } from './errors.js';
import { downstreamResponseHeaders } from './headers.js';
import type { ProviderSpec } from './providers/index.js';
import { errorCode, isTimeout } from './upstream.js';

/** Reads a copy of the response as it streams (usage, tool calls…); never slows the stream. */
export interface Tap {
  start(status: number, headers: IncomingHttpHeaders): void;
  data(chunk: Buffer): void;
  end(): void;
}

/** How a relayed exchange ended. */
export interface RelayOutcome {
  /** The status the client got; 0 when the client left before any. */
  status: number;
  /** The upstream answered (any status) and the body was relayed whole. */
  completed: boolean;
  /** The client went away first. */
  clientGone: boolean;
  error?: Error;
}

export interface RelayOptions {
  provider: ProviderSpec;
  /** Headers added to the response (e.g. X-Coder-Interception-Id), raw form. */
  extraHeaders: string[];
  tap?: Tap;
  /** Called once the status the client gets is known (for the circuit breaker). */
  onStatus?(status: number): void;
  onDone(outcome: RelayOutcome): void;
}

/**
 * Streams an upstream response to the client as undici delivers it: headers as they arrive,
 * each chunk written when it arrives, upstream paused while the client's socket is full and
 * resumed on `drain`. A client that disconnects aborts the upstream request. Transport errors
 * before the response starts become 502 (unreachable) or 504 (timed out) in the provider's
 * error shape; after it started, the client's connection is cut so it sees a truncated body.
 */
export class Relay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private done = false;
  private clientGone = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: RelayOptions,
  ) {
    res.once('close', this.onClientClose);
  }

  private readonly onClientClose = () => {
    if (this.done || this.res.writableFinished) return;
    this.clientGone = true;
    this.controller?.abort(new ClientGoneError());
  };

  private readonly resume = () => this.controller?.resume();

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.res.destroyed) {
      this.clientGone = true;
      controller.abort(new ClientGoneError());
    }
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    this.opts.onStatus?.(statusCode);
    const raw = (controller.rawHeaders as Buffer[] | null) ?? flatten(headers);
    this.res.writeHead(statusCode, downstreamResponseHeaders(raw, this.opts.extraHeaders));
    this.opts.tap?.start(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.opts.tap?.data(chunk);
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.resume);
    }
  }

  onResponseEnd(): void {
    this.res.end();
    // After the last byte is on its way: reading the copy never delays the client.
    this.opts.tap?.end();
    this.finish({ status: this.status, completed: true, clientGone: false });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.clientGone || err instanceof ClientGoneError) {
      this.finish({ status: this.res.headersSent ? this.status : 0, completed: false, clientGone: true, error: err });
      return;
    }
    if (!this.res.headersSent) {
      const timeout = isTimeout(err);
      const status = timeout ? 504 : 502;
      this.status = status;
      this.opts.onStatus?.(status);
      sendProviderError(
        this.res,
        this.opts.provider,
        status,
        timeout ? 'timeout' : 'bad_gateway',
        timeout ? 'upstream provider timed out' : `upstream provider unreachable (${errorCode(err)})`,
        this.opts.extraHeaders,
      );
    } else {
      this.res.destroy();
    }
    this.finish({ status: this.status, completed: false, clientGone: false, error: err });
  }

  private finish(o: RelayOutcome): void {
    if (this.done) return;
    this.done = true;
    this.res.off('close', this.onClientClose);
    this.opts.onDone(o);
  }
}

function flatten(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push(k, x);
  }
  return out;
}
