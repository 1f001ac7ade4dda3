import type { Config } from '../config/index.js';

/**
 * Hosts of the providers the bridge serves, as Coder maps them. Only providers this product's
 * bridge carries are listed; a host maps to the provider whose requests it receives.
 */
export const DEFAULT_HOST_PROVIDERS: ReadonlyArray<readonly [host: string, provider: string]> = [
  ['api.openai.com', 'openai'],
  ['api.anthropic.com', 'anthropic'],
];

/** The providers the bridge carries. */
export const PROVIDERS: ReadonlySet<string> = new Set(DEFAULT_HOST_PROVIDERS.map(([, p]) => p));

/**
 * Parses `proxy.providerHosts` entries (`host=provider`): the host lowercased, the provider one
 * the bridge carries. Returns the pairs and every problem found.
 */
export function parseProviderHosts(entries: readonly string[]): { pairs: [string, string][]; problems: string[] } {
  const pairs: [string, string][] = [];
  const problems: string[] = [];
  for (const raw of entries) {
    const m = /^([^=\s]+)=([a-z0-9-]+)$/.exec(raw.trim().toLowerCase());
    if (!m) {
      problems.push(`proxy.providerHosts: "${raw}" is not host=provider`);
    } else if (!PROVIDERS.has(m[2])) {
      problems.push(`proxy.providerHosts: "${raw}" names provider "${m[2]}"; known providers: ${[...PROVIDERS].join(', ')}`);
    } else {
      pairs.push([m[1], m[2]]);
    }
  }
  return { pairs, problems };
}

/**
 * The host → provider map the allowlist is checked against: the default hosts, then the hosts
 * of the configured provider base URLs (first provider wins, as in Coder), so a deployment (or a
 * test) that points a provider at another host can intercept that host too; last, the operator's
 * explicit `proxy.providerHosts`, which override both.
 */
export function hostProviders(config: { aibridge: Config['aibridge']; proxy?: Pick<Config['proxy'], 'providerHosts'> }): Map<string, string> {
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
  for (const [host, provider] of parseProviderHosts(config.proxy?.providerHosts ?? []).pairs) map.set(host, provider);
  return map;
}
