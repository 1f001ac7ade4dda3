import type { ServerResponse } from 'node:http';
import { AibridgeError } from '../errors.js';
import type { ErrorKind, ProviderSpec } from './providers/index.js';

/** The reason given to undici when the client goes away mid-request. */
export class ClientGoneError extends AibridgeError {
  constructor() {
    super('CLIENT_GONE', 'client closed the connection');
  }
}

/** A request body over the bridge's limit. */
export class BodyTooLargeError extends AibridgeError {
  constructor(readonly limit: number) {
    super('BODY_TOO_LARGE', `request body exceeds ${limit} bytes`);
  }
}

/** Writes a JSON body with its length. */
export function sendJsonBody(res: ServerResponse, status: number, body: unknown, headers: string[] = []): void {
  if (res.headersSent || res.destroyed) return;
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, ['content-type', 'application/json', 'content-length', String(data.length), ...headers]);
  res.end(data);
}

/** Writes an error the provider's SDKs understand (Anthropic `{type:"error",error}`, OpenAI `{error}`). */
export function sendProviderError(res: ServerResponse, p: ProviderSpec, status: number, kind: ErrorKind, message: string, headers: string[] = []): void {
  sendJsonBody(res, status, p.errorBody(kind, message), headers);
}

/** A plain-text error, for requests that name no known provider (Coder's http.Error). */
export function sendPlainError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  const data = Buffer.from(message + '\n');
  res.writeHead(status, ['content-type', 'text/plain; charset=utf-8', 'content-length', String(data.length), 'x-content-type-options', 'nosniff']);
  res.end(data);
}
