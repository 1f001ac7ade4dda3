import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeConfig, effectiveMaxIdle, loadConfig, parseDuration, settings } from '../../src/config/index.js';
import { renderExampleYaml } from '../../src/config/example.js';
import { ConfigError } from '../../src/errors.js';

function tmpFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.yaml');
  writeFileSync(f, text);
  return f;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.http.address).toBe('127.0.0.1:3000');
    expect(config.proxy.listenAddr).toBe('127.0.0.1:8888');
    expect(config.prometheus.address).toBe('127.0.0.1:2112');
    expect(config.dataDir).toBe('./.aibridge');
    expect(config.proxy.domainAllowlist).toEqual(['api.anthropic.com', 'api.openai.com']);
    expect(config.proxy.allowedPorts).toEqual([80, 443]);
    expect(config.aibridge.upstreamTimeout).toBe(600_000);
    expect(config.aibridge.circuitBreaker).toEqual({ enabled: false, failureThreshold: 5, interval: 10_000, timeout: 30_000, maxRequests: 3 });
    expect(config.aibridge.retention).toBe(60 * 86_400_000);
  });

  it('applies defaults < file < env < flags', () => {
    const file = tmpFile('http:\n  address: 127.0.0.1:4000\nproxy:\n  listenAddr: 127.0.0.1:9000\ndataDir: /from/file\n');
    const loaded = loadConfig({
      configFile: file,
      env: { CODER_AIBRIDGE_PROXY_LISTEN_ADDR: '127.0.0.1:9001', AIBRIDGE_DATA_DIR: '/from/env' },
      flags: { dataDir: '/from/flag' },
    });
    expect(loaded.config.http.address).toBe('127.0.0.1:4000');
    expect(loaded.config.proxy.listenAddr).toBe('127.0.0.1:9001');
    expect(loaded.config.dataDir).toBe('/from/flag');
    expect(loaded.sources.get('http.address')).toEqual({ kind: 'file', file, line: 2 });
    expect(loaded.sources.get('proxy.listenAddr')).toEqual({ kind: 'env', name: 'CODER_AIBRIDGE_PROXY_LISTEN_ADDR' });
    expect(loaded.sources.get('dataDir')).toEqual({ kind: 'flag', name: 'data-dir' });
  });

  it('reads the config file named by AIBRIDGE_CONFIG', () => {
    const file = tmpFile('aibridge:\n  maxConcurrency: 7\n');
    expect(loadConfig({ env: { AIBRIDGE_CONFIG: file } }).config.aibridge.maxConcurrency).toBe(7);
  });

  it('accepts the CODER_AI_GATEWAY_* spellings as aliases', () => {
    const { config } = loadConfig({
      env: { CODER_AI_GATEWAY_OPENAI_KEY: 'sk-alias', CODER_AI_GATEWAY_PROXY_DOMAIN_ALLOWLIST: 'api.openai.com' },
    });
    expect(config.aibridge.openai.key).toBe('sk-alias');
    expect(config.proxy.domainAllowlist).toEqual(['api.openai.com']);
  });

  it('reports a bad env value with the key, the variable, the value and what is expected', () => {
    const issues = issuesOf(() => loadConfig({ env: { CODER_PG_CONN_MAX_OPEN: '0' } }));
    expect(issues).toEqual(['pg.connMaxOpen (env CODER_PG_CONN_MAX_OPEN): invalid value "0": expected an integer >= 1']);
  });

  it('reports a bad file value with file and line, and every problem at once', () => {
    const file = tmpFile('pg:\n  connMaxIdle: -1\naibridge:\n  upstreamTimeout: soon\n  nope: 1\n');
    const issues = issuesOf(() => loadConfig({ configFile: file, env: {} }));
    expect(issues).toContain(`pg.connMaxIdle (${file}:2): invalid value -1: expected "auto" or an integer >= 0`);
    expect(issues).toContain(`aibridge.upstreamTimeout (${file}:4): invalid value "soon": expected a duration such as 30s, 10m, 1h or 60d`);
    expect(issues).toContain(`${file}:5: unknown key "aibridge.nope"`);
  });

  it('redacts secrets in errors and in the effective config', () => {
    const issues = issuesOf(() => loadConfig({ env: { CODER_PG_CONNECTION_URL: 'mysql://u:hunter2@db/x' } }));
    expect(issues.join('\n')).not.toContain('hunter2');
    const loaded = loadConfig({ env: { CODER_AIBRIDGE_OPENAI_KEY: 'sk-secret', CODER_PG_CONNECTION_URL: 'postgres://u:hunter2@db/x' } });
    const rows = describeConfig(loaded);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('sk-secret');
    expect(text).not.toContain('hunter2');
    expect(rows.find((r) => r.key === 'pg.connectionUrl')?.value).toBe('postgres://u:REDACTED@db/x');
  });

  it.each([
    [{}, 10, 3],
    [{ CODER_PG_CONN_MAX_OPEN: '30' }, 30, 10],
    [{ CODER_PG_CONN_MAX_OPEN: '30', CODER_PG_CONN_MAX_IDLE: 'auto' }, 30, 10],
    [{ CODER_PG_CONN_MAX_OPEN: '30', CODER_PG_CONN_MAX_IDLE: '0' }, 30, 0],
    [{ CODER_PG_CONN_MAX_OPEN: '1' }, 1, 0],
  ])('pool settings %o give max open %i and max idle %i', (env, open, idle) => {
    const { config } = loadConfig({ env });
    expect(config.pg.connMaxOpen).toBe(open);
    expect(effectiveMaxIdle(config.pg)).toBe(idle);
  });

  it('refuses a negative max idle', () => {
    expect(issuesOf(() => loadConfig({ env: { CODER_PG_CONN_MAX_IDLE: '-3' } }))[0]).toMatch(/^pg.connMaxIdle \(env CODER_PG_CONN_MAX_IDLE\)/);
  });

  it.each([
    ['600s', 600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['60d', 5_184_000_000],
    ['0', 0],
    ['1500', 1500],
    ['10 s', undefined],
    ['5x', undefined],
    ['', undefined],
  ])('parses duration %j as %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('config.example.yaml', () => {
  const path = new URL('../../config.example.yaml', import.meta.url);

  it('parses, and loads as a config', () => {
    const file = path.pathname;
    expect(() => loadConfig({ configFile: file, env: {} })).not.toThrow();
  });

  it('names every setting with its env variable', () => {
    const text = readFileSync(path, 'utf8');
    const doc = parse(text) as Record<string, unknown>;
    for (const s of settings) {
      const value = s.key.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)?.[p], doc);
      expect(value, s.key).not.toBeUndefined();
      expect(text, s.key).toContain(s.env[0]);
    }
  });

  it('is current with the schema (regenerate with npm run gen:config-example)', () => {
    expect(readFileSync(path, 'utf8')).toBe(renderExampleYaml());
  });
});
