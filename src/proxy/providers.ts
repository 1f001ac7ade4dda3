import type { Config } from '../config/index.js';

/**
 * Hosts of the providers the bridge serves, as Coder maps them. Only providers this product's
 * bridge carries are listed; a host maps to the provider whose requests it receives.
 */
export const DEFAULT_HOST_PROVIDERS: ReadonlyArray<readonly [host: string, provider: string]> = [
  ['api.openai.com', 'openai'],
  ['api.anthropic.com', 'anthropic'],
];

/**
 * The host → provider map the allowlist is checked against: the default hosts, then the hosts
 * of the configured provider base URLs (first provider wins, as in Coder), so a deployment (or a
 * test) that points a provider at another host can intercept that host too.
 */
export function hostProviders(config: Pick<Config, 'aibridge'>): Map<string, string> {
  const map = new Map<string, string>(DEFAULT_HOST_PROVIDERS);
  const bases: [string, string][] = [
    ['openai', config.aibridge.openai.baseUrl],
    ['anthropic', config.aibridge.anthropic.baseUrl],
  ];
  for (const [provider, base] of bases) {
    if (!base) continue;
    let host: string;
    try {
      host = new URL(base).hostname.toLowerCase();
    } catch {
      continue;
    }
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    if (host && !map.has(host)) map.set(host, provider);
  }
  return map;
}
