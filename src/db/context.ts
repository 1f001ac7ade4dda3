import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The HTTP route and method of the request a query runs for, so query metrics can be labelled
 * by route without passing it down (Coder's httpmw.HTTPRoute). Background work has no store,
 * and its queries carry empty labels.
 */
export interface RouteContext {
  route: string;
  method: string;
}

export const routeContext = new AsyncLocalStorage<RouteContext>();
