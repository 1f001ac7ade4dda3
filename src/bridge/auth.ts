import type { IncomingHttpHeaders } from 'node:http';

/** Where the Coder token of a request was found. */
export type TokenSource = 'x-coder-token' | 'x-coder-ai-governance-token' | 'authorization' | 'x-api-key';

export interface FoundToken {
  token: string;
  source: TokenSource;
}

/** How the upstream request is authenticated. */
export type CredentialKind = 'centralized' | 'byok';

export type CredentialDecision = { kind: CredentialKind } | { refused: 'byok-not-allowed' };

export const BYOK_NOT_ALLOWED = 'Bring Your Own Key (BYOK) mode is not enabled.';

function one(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

/** The bearer token of an `Authorization` value, or '' when it is not a bearer credential. */
export function bearerOf(value: string | undefined): string {
  if (!value) return '';
  const m = /^bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1] : '';
}

/**
 * Finds the Coder token of a request, in Coder's order (seed 003, "X-Coder-Token"):
 * `X-Coder-Token` (or its newer name `X-Coder-AI-Governance-Token`), then `Authorization:
 * Bearer`, then `X-Api-Key`. The proxy puts the token in X-Coder-Token so that the client's own
 * Authorization and X-Api-Key reach the bridge untouched.
 */
export function extractToken(headers: IncomingHttpHeaders): FoundToken | undefined {
  const coder = one(headers['x-coder-token']);
  if (coder) return { token: coder, source: 'x-coder-token' };
  const gov = one(headers['x-coder-ai-governance-token']);
  if (gov) return { token: gov, source: 'x-coder-ai-governance-token' };
  const bearer = bearerOf(one(headers.authorization));
  if (bearer) return { token: bearer, source: 'authorization' };
  const key = one(headers['x-api-key']);
  if (key) return { token: key, source: 'x-api-key' };
  return undefined;
}

/**
 * Decides whose key goes upstream. When the token came in a Coder header, the client's own
 * `Authorization` / `X-Api-Key` are its provider credentials: when one differs from the token
 * the request is BYOK (refused unless allowed); when there is none, or they only repeat the
 * token, the provider key is used (centralized). A token found in Authorization or X-Api-Key
 * always means centralized.
 */
export function decideCredentials(found: FoundToken, headers: IncomingHttpHeaders, allowByok: boolean): CredentialDecision {
  if (found.source === 'authorization' || found.source === 'x-api-key') return { kind: 'centralized' };
  const auth = one(headers.authorization);
  const key = one(headers['x-api-key']);
  const ownAuth = auth !== '' && bearerOf(auth) !== found.token;
  const ownKey = key !== '' && key !== found.token;
  if (!ownAuth && !ownKey) return { kind: 'centralized' };
  return allowByok ? { kind: 'byok' } : { refused: 'byok-not-allowed' };
}

/**
 * A masked hint of a provider key for the records: enough to tell keys apart, never enough to
 * use one (`sk-a…wxyz`; short keys show only their length).
 */
export function maskKey(key: string): string {
  if (!key) return '';
  if (key.length < 16) return `…(${key.length})`;
  return `${key.slice(0, 4)}…${key.slice(-4)}`;
}

/** The BYOK credential the client sent (for the masked hint). */
export function clientCredential(headers: IncomingHttpHeaders, token: string): string {
  const auth = one(headers.authorization);
  const bearer = bearerOf(auth);
  if (auth && bearer !== token) return bearer || auth;
  const key = one(headers['x-api-key']);
  return key && key !== token ? key : '';
}
