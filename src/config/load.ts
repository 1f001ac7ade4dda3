import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors.js';
import { envNames, settings, type Config, type Setting } from './schema.js';

/** Where a setting's effective value came from, for error messages and `config check`. */
export type Source =
  | { kind: 'default' }
  | { kind: 'file'; file: string; line: number }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string };

export interface LoadOptions {
  /** The YAML file; otherwise AIBRIDGE_CONFIG from env. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by setting key (`http.address`), as given on the command line. */
  flags?: Record<string, string | undefined>;
}

export interface LoadedConfig {
  config: Readonly<Config>;
  sources: Map<string, Source>;
  configFile?: string;
}

export function describeSource(s: Source): string {
  switch (s.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${s.file}:${s.line}`;
    case 'env':
      return `env ${s.name}`;
    case 'flag':
      return `flag --${s.name}`;
  }
}

/** Redacts a secret for display: URLs keep their shape with the password hidden. */
export function redactValue(setting: Setting, value: unknown): unknown {
  if (!setting.secret || value === '' || value === undefined) return value;
  if (typeof value === 'string' && /^[a-z]+:\/\//i.test(value)) {
    try {
      const u = new URL(value);
      if (u.password) u.password = 'REDACTED';
      else if (u.username) u.username = 'REDACTED';
      return u.toString();
    } catch {
      return '[REDACTED]';
    }
  }
  return '[REDACTED]';
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    cur[p] ??= {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

interface FileValue {
  value: unknown;
  line: number;
}

/** Flattens the YAML document to dotted keys with their line numbers; unknown keys are errors. */
function readYaml(file: string, issues: string[]): Map<string, FileValue> {
  const out = new Map<string, FileValue>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    issues.push(`config file ${file}: ${(err as Error).message}`);
    return out;
  }
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  for (const e of doc.errors) issues.push(`${file}:${e.linePos?.[0].line ?? '?'}: ${e.message}`);
  if (doc.errors.length > 0 || doc.contents === null) return out;
  const known = new Set(settings.map((s) => s.key));
  const prefixes = new Set(settings.flatMap((s) => s.key.split('.').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('.'))));
  const walk = (node: unknown, prefix: string): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const key = prefix ? `${prefix}.${k}` : k;
      const range = (isScalar(pair.key) ? pair.key.range : undefined) ?? [0];
      const line = lc.linePos(range[0]).line;
      if (known.has(key)) {
        const v = pair.value;
        const value = isScalar(v) ? v.value : v && typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
        if (value !== null && value !== undefined) out.set(key, { value, line });
      } else if (prefixes.has(key)) {
        walk(pair.value, key);
      } else {
        issues.push(`${file}:${line}: unknown key "${key}"`);
      }
    }
  };
  walk(doc.contents, '');
  return out;
}

/**
 * Builds the effective configuration: defaults < YAML file < environment < flags. Every
 * problem is collected and reported at once, each naming the key, its source, the (redacted)
 * value and what was expected.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const issues: string[] = [];
  const configFile = opts.configFile ?? (env.AIBRIDGE_CONFIG || undefined);
  const fileValues = configFile ? readYaml(configFile, issues) : new Map<string, FileValue>();
  const out: Record<string, unknown> = {};
  const sources = new Map<string, Source>();
  for (const s of settings) {
    let raw: unknown = s.default;
    let source: Source = { kind: 'default' };
    const fv = fileValues.get(s.key);
    if (fv && configFile) {
      raw = fv.value;
      source = { kind: 'file', file: configFile, line: fv.line };
    }
    for (const name of envNames(s)) {
      if (env[name] !== undefined) {
        raw = env[name];
        source = { kind: 'env', name };
        break;
      }
    }
    const flagValue = opts.flags?.[s.key];
    if (flagValue !== undefined && s.flag) {
      raw = flagValue;
      source = { kind: 'flag', name: s.flag };
    }
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      issues.push(
        `${s.key} (${describeSource(source)}): invalid value ${JSON.stringify(redactValue(s, raw))}: ${why}`,
      );
      continue;
    }
    setPath(out, s.key, parsed.data);
    sources.set(s.key, source);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { config: deepFreeze(out) as unknown as Config, sources, configFile };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** The effective configuration as rows for `config check`, secrets redacted. */
export function describeConfig(loaded: LoadedConfig): { key: string; value: unknown; source: string }[] {
  return settings.map((s) => {
    const value = s.key.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)?.[p], loaded.config);
    return { key: s.key, value: redactValue(s, value), source: describeSource(loaded.sources.get(s.key) ?? { kind: 'default' }) };
  });
}

/** A config for tests and embedding: defaults with overrides applied, no env or file read. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  const env: NodeJS.ProcessEnv = {};
  const base = loadConfig({ env }).config;
  const merged = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) setPath(merged, k, v);
  return merged as unknown as Config;
}
