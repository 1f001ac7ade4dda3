/**
 * Which upstream statuses count against a circuit (Coder: circuitbreaker.DefaultIsFailure):
 * rate limited (429), unavailable (503) and gateway timeout (504), plus the provider's own
 * (Anthropic's 529 "overloaded"). Every other status, errors included, is a success for the
 * breaker: a 400 or 401 says nothing about the provider's health.
 */
export const COMMON_FAILURE_STATUSES: readonly number[] = [429, 503, 504];

export function isBreakerFailure(status: number, extra: readonly number[] = []): boolean {
  return COMMON_FAILURE_STATUSES.includes(status) || extra.includes(status);
}

/** The `Retry-After` seconds of an open circuit: its timeout, rounded up. */
export function retryAfterSeconds(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000));
}
