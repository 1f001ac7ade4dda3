import { createHash } from 'node:crypto';

/**
 * OAuth2 provider enums, typed as coder/coder's `codersdk/oauth2.go` (PR #21468), each with its
 * validity check, and the pure rules of dynamic client registration (RFC 7591).
 */
export const GrantTypes = ['authorization_code', 'refresh_token'] as const; // RFC 6749
export const ResponseTypes = ['code'] as const; // RFC 6749
export const TokenEndpointAuthMethods = ['client_secret_basic', 'client_secret_post', 'none'] as const; // RFC 7591
export const PKCECodeChallengeMethods = ['S256'] as const; // RFC 7636; OAuth 2.1 rejects plain
export const TokenTypes = ['Bearer'] as const;
export const RevocationTokenTypeHints = ['access_token', 'refresh_token'] as const; // RFC 7009
export const ErrorCodes = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'unsupported_token_type',
  'server_error',
  'temporarily_unavailable',
] as const;

export type GrantType = (typeof GrantTypes)[number];
export type ResponseType = (typeof ResponseTypes)[number];
export type TokenEndpointAuthMethod = (typeof TokenEndpointAuthMethods)[number];
export type PKCECodeChallengeMethod = (typeof PKCECodeChallengeMethods)[number];
export type ErrorCode = (typeof ErrorCodes)[number];

const valid =
  <T extends string>(list: readonly T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (list as readonly string[]).includes(v);

export const validGrantType = valid(GrantTypes);
export const validResponseType = valid(ResponseTypes);
export const validTokenEndpointAuthMethod = valid(TokenEndpointAuthMethods);
export const validCodeChallengeMethod = valid(PKCECodeChallengeMethods);
export const validRevocationHint = valid(RevocationTokenTypeHints);

/** RFC 6749 / 7591 error body. */
export interface OAuth2Error {
  error: ErrorCode | 'invalid_client_metadata' | 'invalid_redirect_uri';
  error_description?: string;
  error_uri?: string;
}

export const DefaultClientName = 'Dynamically Registered Client';

/** A registration request after validation, with Coder's defaults filled in. */
export interface ClientRegistration {
  redirect_uris: string[];
  client_name: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  jwks_uri?: string;
  jwks?: unknown;
  software_id?: string;
  software_version?: string;
  grant_types: GrantType[];
  response_types: ResponseType[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  scope: string;
  contacts: string[];
}

/** A redirect URI must be absolute, without a fragment, https unless it points at a loopback host. */
export function redirectUriProblem(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `redirect URI "${uri}" is not an absolute URI`;
  }
  if (u.hash) return `redirect URI "${uri}" must not contain a fragment`;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol === 'http:' && !loopback) return `redirect URI "${uri}" must use https (http is allowed for loopback hosts only)`;
  if (u.protocol === 'javascript:' || u.protocol === 'data:') return `redirect URI "${uri}" uses a forbidden scheme`;
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Validates an RFC 7591 registration request. Unknown enum values are errors, not ignored:
 * `private_key_jwt` is not a supported auth method, and `plain` PKCE is refused.
 */
export function validateRegistration(body: Record<string, unknown>): { ok: ClientRegistration } | { error: OAuth2Error } {
  const bad = (error: OAuth2Error['error'], error_description: string) => ({ error: { error, error_description } });
  const list = (k: string): unknown[] | undefined => (body[k] === undefined || body[k] === null ? undefined : Array.isArray(body[k]) ? (body[k] as unknown[]) : [body[k]]);

  const grants = list('grant_types') ?? [...GrantTypes];
  for (const g of grants) if (!validGrantType(g)) return bad('invalid_client_metadata', `unsupported grant type "${String(g)}"`);
  const responses = list('response_types') ?? [...ResponseTypes];
  for (const r of responses) if (!validResponseType(r)) return bad('invalid_client_metadata', `unsupported response type "${String(r)}"`);
  const method = body.token_endpoint_auth_method === undefined || body.token_endpoint_auth_method === '' ? 'client_secret_basic' : body.token_endpoint_auth_method;
  if (!validTokenEndpointAuthMethod(method)) return bad('invalid_client_metadata', `unsupported token endpoint auth method "${String(method)}"`);
  if (body.code_challenge_method !== undefined && !validCodeChallengeMethod(body.code_challenge_method)) {
    return bad('invalid_client_metadata', 'OAuth 2.1 only supports S256 (plain is rejected)');
  }
  const redirects = list('redirect_uris') ?? [];
  if (redirects.some((r) => typeof r !== 'string')) return bad('invalid_redirect_uri', 'redirect_uris must be strings');
  if ((grants as string[]).includes('authorization_code') && redirects.length === 0) return bad('invalid_redirect_uri', 'redirect_uris is required for the authorization_code grant');
  for (const r of redirects as string[]) {
    const p = redirectUriProblem(r);
    if (p) return bad('invalid_redirect_uri', p);
  }
  const contacts = list('contacts') ?? [];
  if (contacts.some((c) => typeof c !== 'string')) return bad('invalid_client_metadata', 'contacts must be strings');
  for (const k of ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'jwks_uri']) {
    const v = body[k];
    if (v !== undefined && v !== '' && (typeof v !== 'string' || !/^https?:\/\//.test(v))) return bad('invalid_client_metadata', `${k} must be an http(s) URL`);
  }
  return {
    ok: {
      redirect_uris: redirects as string[],
      client_name: str(body.client_name) || DefaultClientName,
      client_uri: str(body.client_uri) || undefined,
      logo_uri: str(body.logo_uri) || undefined,
      tos_uri: str(body.tos_uri) || undefined,
      policy_uri: str(body.policy_uri) || undefined,
      jwks_uri: str(body.jwks_uri) || undefined,
      jwks: body.jwks,
      software_id: str(body.software_id) || undefined,
      software_version: str(body.software_version) || undefined,
      grant_types: grants as GrantType[],
      response_types: responses as ResponseType[],
      token_endpoint_auth_method: method,
      scope: str(body.scope) ?? '',
      contacts: contacts as string[],
    },
  };
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)) == challenge. */
export function verifyPkce(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}
