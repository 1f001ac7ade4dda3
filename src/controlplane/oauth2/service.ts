import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AibridgeError } from '../../errors.js';
import type { Store } from '../dbauthz/store.js';
import type { AppCode } from './queries.js';
import { validCodeChallengeMethod, verifyPkce, type OAuth2Error } from './types.js';

/** An OAuth2 protocol error, answered as RFC 6749's `{error, error_description}`. */
export class OAuth2ProtocolError extends AibridgeError {
  constructor(
    readonly status: number,
    readonly body: OAuth2Error,
  ) {
    super('OAUTH2', body.error_description ?? body.error);
  }
}

const invalid = (status: number, error: OAuth2Error['error'], error_description: string) => new OAuth2ProtocolError(status, { error, error_description });

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
function randomText(n: number): string {
  let out = '';
  for (const b of randomBytes(n)) out += ALNUM[b % 36];
  return out;
}

const hash = (s: string) => createHash('sha256').update(s).digest();

/** Coder's secret format for client secrets, codes and refresh tokens: `coder_<prefix>_<secret>`. */
export function newSecret(): { full: string; prefix: string; hashed: Buffer } {
  const prefix = randomText(10);
  const secret = randomText(40);
  return { full: `coder_${prefix}_${secret}`, prefix, hashed: hash(secret) };
}

export function parseSecret(full: string): { prefix: string; secret: string } | undefined {
  const m = /^coder_([a-z0-9]{10})_([a-z0-9]{40})$/.exec(full);
  return m ? { prefix: m[1], secret: m[2] } : undefined;
}

function matches(secret: string, hashed: Buffer): boolean {
  const h = hash(secret);
  return h.length === hashed.length && timingSafeEqual(h, hashed);
}

/** Client credentials from HTTP Basic (client_secret_basic) or the form (client_secret_post). */
export function clientCredentials(req: IncomingMessage, form: URLSearchParams): { clientId?: string; secret?: string; via: 'basic' | 'post' | 'none' } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString().split(':', 2).map((x) => decodeURIComponent(x ?? ''));
    return { clientId: id, secret, via: 'basic' };
  }
  const secret = form.get('client_secret') ?? undefined;
  return { clientId: form.get('client_id') ?? undefined, secret, via: secret ? 'post' : 'none' };
}

/** Authenticates the client at the token endpoint by its registered method. */
export async function authenticateClient(system: Store, req: IncomingMessage, form: URLSearchParams) {
  const cred = clientCredentials(req, form);
  if (!cred.clientId) throw invalid(401, 'invalid_client', 'client authentication is required');
  const app = await system.oauth2.getOAuth2ProviderAppByID(cred.clientId);
  if (!app) throw invalid(401, 'invalid_client', 'unknown client');
  if (app.token_endpoint_auth_method === 'none') return { app, secretId: null };
  const expected = app.token_endpoint_auth_method === 'client_secret_basic' ? 'basic' : 'post';
  if (cred.via !== expected) throw invalid(401, 'invalid_client', `the client must authenticate with ${app.token_endpoint_auth_method}`);
  const parsed = cred.secret ? parseSecret(cred.secret) : undefined;
  const row = parsed ? await system.oauth2.getOAuth2ProviderAppSecretByPrefix(parsed.prefix) : undefined;
  if (!parsed || !row || row.app_id !== app.id || !matches(parsed.secret, row.hashed_secret)) throw invalid(401, 'invalid_client', 'invalid client secret');
  return { app, secretId: row.id };
}

/** PKCE parameters of an authorization request: S256 only; public clients must use it. */
export function checkPkce(challenge: string | null, method: string | null, publicClient: boolean): { challenge?: string; method?: string } {
  if (method !== null && !validCodeChallengeMethod(method)) throw invalid(400, 'invalid_request', 'OAuth 2.1 only supports S256 (plain is rejected)');
  if (challenge && method === null) throw invalid(400, 'invalid_request', 'code_challenge_method is required (S256)');
  if (!challenge && publicClient) throw invalid(400, 'invalid_request', 'public clients must use PKCE (S256)');
  return challenge ? { challenge, method: 'S256' } : {};
}

/** Checks a taken authorization code against the token request. */
export function checkCode(code: AppCode | undefined, secret: string, appId: string, redirectUri: string | null, verifier: string | null, now = new Date()): AppCode {
  if (!code || !matches(secret, code.hashed_secret)) throw invalid(400, 'invalid_grant', 'invalid authorization code');
  if (code.app_id !== appId) throw invalid(400, 'invalid_grant', 'the code was issued to another client');
  if (code.expires_at.getTime() <= now.getTime()) throw invalid(400, 'invalid_grant', 'the authorization code has expired');
  if (code.redirect_uri && redirectUri !== code.redirect_uri) throw invalid(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
  if (code.code_challenge) {
    if (!verifier || !verifyPkce(verifier, code.code_challenge)) throw invalid(400, 'invalid_grant', 'PKCE verification failed');
  }
  return code;
}

export { invalid as oauth2Error, matches as secretMatches };
