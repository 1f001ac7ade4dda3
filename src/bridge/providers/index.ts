import type { Config } from '../../config/index.js';
import { anthropic } from './anthropic.js';
import { openai } from './openai.js';
import type { Provider, ProviderSpec } from './provider.js';

export type { BridgedRoute, Endpoint, ErrorKind, Provider, ProviderSpec, WebSocketRoute } from './provider.js';

/** Every provider the bridge knows. */
export const providerSpecs: ProviderSpec[] = [openai, anthropic];

/** The providers with the base URL and key from config, by name. */
export function resolveProviders(config: Config): Map<string, Provider> {
  const settings: Record<string, { baseUrl: string; key: string }> = {
    openai: config.aibridge.openai,
    anthropic: config.aibridge.anthropic,
  };
  const out = new Map<string, Provider>();
  for (const spec of providerSpecs) {
    const s = settings[spec.name];
    out.set(spec.name, { ...spec, baseUrl: s?.baseUrl || spec.defaultBaseUrl, key: s?.key ?? '' });
  }
  return out;
}
