import type { IncomingHttpHeaders } from 'node:http';
import { scopeAllows, type Principal } from '../db/index.js';
import { BYOK_NOT_ALLOWED, clientCredential, decideCredentials, extractToken, maskKey, type CredentialKind } from './auth.js';
import type { BridgeContext, ResolvedProvider } from './context.js';
import type { CredentialPlan } from './headers.js';
import { overloadRejects } from './metrics.js';
import type { ErrorKind } from './providers/index.js';

export interface Admitted {
  ok: true;
  principal: Principal;
  credentialKind: CredentialKind;
  credentialHint: string;
  plan: CredentialPlan;
  /** Gives back the concurrency slot; call once when the request ends. */
  release(): void;
}

export interface Refused {
  ok: false;
  status: number;
  kind: ErrorKind;
  message: string;
  /** Extra response headers, raw form. */
  headers: string[];
}

const refuse = (status: number, kind: ErrorKind, message: string, headers: string[] = []): Refused => ({ ok: false, status, kind, message, headers });

/**
 * Lets a request in, or says why not, in this order: a token (401 without), a valid token
 * (401, or 503 when the control plane cannot say), the credential mode (403 for BYOK when it is
 * not allowed), the token's rate (429 with Retry-After), and a concurrency slot (503).
 */
export async function admit(ctx: BridgeContext, provider: ResolvedProvider, headers: IncomingHttpHeaders): Promise<Admitted | Refused> {
  const found = extractToken(headers);
  if (!found) return refuse(401, 'authentication', 'no authentication key provided: send a Coder token in X-Coder-Token, Authorization: Bearer or X-Api-Key');
  let principal: Principal | undefined;
  try {
    principal = await ctx.tokenCheck(found.token);
  } catch (err) {
    ctx.log.warn({ err }, 'token check failed');
    return refuse(503, 'unavailable', 'could not verify the token: the control plane is unavailable', ['retry-after', '1']);
  }
  if (!principal) return refuse(401, 'authentication', 'invalid or expired Coder token');
  // A token limited to other resources (say workspace:read) must not become an AI key.
  if (!scopeAllows(principal.scopes, 'aibridge_interception', 'create')) {
    return refuse(403, 'permission', "the token's scopes do not allow AI Bridge requests: it needs aibridge_interception:create (or all)");
  }
  const decision = decideCredentials(found, headers, ctx.allowByok);
  if ('refused' in decision) return refuse(403, 'permission', BYOK_NOT_ALLOWED);
  const rate = ctx.rate.check(principal.apiKeyId);
  if (!rate.ok) {
    overloadRejects.inc({ reason: 'rate' });
    return refuse(429, 'rate_limit', 'rate limit exceeded: too many requests for this token', ['retry-after', String(rate.retryAfterSeconds)]);
  }
  if (!ctx.concurrency.tryAcquire()) {
    overloadRejects.inc({ reason: 'concurrency' });
    return refuse(503, 'overloaded', 'AI Bridge is at capacity: too many concurrent requests; try again later', ['retry-after', '1']);
  }
  const centralized = decision.kind === 'centralized';
  let released = false;
  return {
    ok: true,
    principal,
    credentialKind: decision.kind,
    credentialHint: centralized ? provider.keyHint : maskKey(clientCredential(headers, found.token)),
    plan: { inject: centralized ? provider.inject : undefined, stripClientCredentials: centralized, token: found.token },
    release: () => {
      if (released) return;
      released = true;
      ctx.concurrency.release();
    },
  };
}
