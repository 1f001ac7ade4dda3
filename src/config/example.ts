import { stringify } from 'yaml';
import { envNames, settings } from './schema.js';

/**
 * Renders config.example.yaml from the settings table: every key with its description, its
 * environment variables and its default, nested as the loader reads them.
 */
export function renderExampleYaml(): string {
  const lines: string[] = [
    '# aibridge configuration. Every setting, with its default.',
    '# Precedence, lowest first: defaults < this file (--config FILE or AIBRIDGE_CONFIG) < environment < flags.',
    '# CODER_AIBRIDGE_* variables are also accepted as CODER_AI_GATEWAY_*. Durations: 500ms, 30s, 10m, 1h, 60d.',
    '# Generated from src/config/schema.ts by `npm run gen:config-example`; a test keeps it current.',
    '',
  ];
  let prevParents: string[] = [];
  for (const s of settings) {
    const parts = s.key.split('.');
    const parents = parts.slice(0, -1);
    let common = 0;
    while (common < parents.length && common < prevParents.length && parents[common] === prevParents[common]) common++;
    if (parents.length === 0 && prevParents.length > 0) lines.push('');
    for (let i = common; i < parents.length; i++) {
      if (i === 0) lines.push('');
      lines.push(`${'  '.repeat(i)}${parents[i]}:`);
    }
    prevParents = parents;
    const indent = '  '.repeat(parents.length);
    const env = envNames(s).join(', ');
    lines.push(`${indent}# ${s.description}`);
    lines.push(`${indent}# env: ${env}${s.flag ? `; flag: --${s.flag}` : ''}${s.secret ? '; secret' : ''}`);
    const value = stringify({ [parts[parts.length - 1]]: s.default }).trimEnd();
    lines.push(...value.split('\n').map((l) => indent + l));
  }
  return lines.join('\n') + '\n';
}
