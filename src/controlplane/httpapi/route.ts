import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../errors.js';
import type { Handler, Params } from '../../server/router.js';
import { NotAuthorizedError } from '../dbauthz/store.js';
import type { RequestContext } from './context.js';
import { conflict, resourceNotFound } from './errors.js';

export type AuthedHandler = (ctx: RequestContext, req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => Promise<void>;
export type OpenHandler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => Promise<void>;

/** Errors of the data layer as Coder's handlers answer them; HttpErrors pass through. */
export function toHttpError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof NotAuthorizedError) return resourceNotFound();
  const code = (err as { code?: string })?.code;
  if (code === '23505') return conflict('Resource already exists.', (err as Error).message);
  return err;
}

function urlOf(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://localhost');
}

/** Wraps handlers: authenticated ones get the request's context; data-layer errors become HTTP errors. */
export function routes(authenticate: (req: IncomingMessage) => Promise<RequestContext>) {
  return {
    authed(h: AuthedHandler): Handler {
      return async (req, res, params) => {
        const ctx = await authenticate(req);
        try {
          await h(ctx, req, res, params, urlOf(req));
        } catch (err) {
          throw toHttpError(err);
        }
      };
    },
    open(h: OpenHandler): Handler {
      return async (req, res, params) => {
        try {
          await h(req, res, params, urlOf(req));
        } catch (err) {
          throw toHttpError(err);
        }
      };
    },
  };
}

export type Routes = ReturnType<typeof routes>;

/** A 204 with no body. */
export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}
