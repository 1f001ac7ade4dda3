export { startApiServer, type ApiModule, type ApiServer } from './api-server.js';
export { healthModule } from './health-module.js';
export { Progress, runHealthChecks, realClock, type Clock, type HealthCheck, type HealthReport } from './health.js';
export { listen, splitAddress } from './listen.js';
export { startMetricsServer } from './metrics-server.js';
export { readBody, readJson, sendError, sendJson } from './respond.js';
export { Router, unmatchedRouteLabel, type Handler, type Match, type Method, type Params, type UpgradeHandler } from './router.js';
export { extractSessionToken, readCookie, SessionTokenCookie, SessionTokenHeader } from './session-token.js';
export { connectionTokens, HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
