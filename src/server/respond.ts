import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../errors.js';

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length, ...headers });
  res.end(data);
}

/** Writes Coder's error shape `{message, detail?, validations?}`. */
export function sendError(res: ServerResponse, err: HttpError): void {
  const body: Record<string, unknown> = { message: err.message };
  if (err.detail) body.detail = err.detail;
  if (err.validations) body.validations = err.validations;
  sendJson(res, err.status, body);
}

/** Reads a whole request body, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, 'Request body too large.', `The body exceeds ${limit} bytes.`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads and parses a JSON body; a malformed one is a 400 in Coder's shape. */
export async function readJson<T = unknown>(req: IncomingMessage, limit?: number): Promise<T> {
  const buf = await readBody(req, limit);
  try {
    return JSON.parse(buf.length ? buf.toString('utf8') : '{}') as T;
  } catch (err) {
    throw new HttpError(400, 'Request body must be valid JSON.', (err as Error).message);
  }
}
