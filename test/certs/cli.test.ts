import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/helpers.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('aibridge ca', () => {
  it('generate writes a CA into <data-dir>/ca with the key at mode 0600, and print shows it', async () => {
    const dataDir = tmp('ca-cli-');
    const gen = await runCli(['ca', 'generate', '--data-dir', dataDir]);
    expect(gen.code, gen.err).toBe(0);
    const certPath = join(dataDir, 'ca', 'ca.pem');
    expect(gen.out).toContain(certPath);
    expect(statSync(join(dataDir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(readFileSync(certPath)).ca).toBe(true);
    const printed = await runCli(['ca', 'print', '--data-dir', dataDir]);
    expect(printed.code).toBe(0);
    expect(printed.out).toBe(readFileSync(certPath, 'utf8').trimEnd());
  });

  it('generate --out writes into the given directory', async () => {
    const out = join(tmp('ca-out-'), 'nested');
    const r = await runCli(['ca', 'generate', '--out', out, '--data-dir', tmp('unused-')]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(out, 'ca.pem'))).toBe(true);
    expect(statSync(join(out, 'ca.key')).mode & 0o777).toBe(0o600);
  });

  it('generate refuses to replace an existing CA unless --force', async () => {
    const dataDir = tmp('ca-force-');
    await runCli(['ca', 'generate', '--data-dir', dataDir]);
    const before = readFileSync(join(dataDir, 'ca', 'ca.pem'), 'utf8');
    const again = await runCli(['ca', 'generate', '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('--force');
    expect(readFileSync(join(dataDir, 'ca', 'ca.pem'), 'utf8')).toBe(before);
    const forced = await runCli(['ca', 'generate', '--data-dir', dataDir, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dataDir, 'ca', 'ca.pem'), 'utf8')).not.toBe(before);
  });

  it('generate --force leaves a replaced key file at mode 0600, whatever its mode was', async () => {
    const out = tmp('ca-force-mode-');
    mkdirSync(out, { recursive: true });
    const keyPath = join(out, 'ca.key');
    writeFileSync(keyPath, 'old key', { mode: 0o644 });
    chmodSync(keyPath, 0o644);
    writeFileSync(join(out, 'ca.pem'), 'old cert');
    const r = await runCli(['ca', 'generate', '--out', out, '--data-dir', tmp('unused-'), '--force']);
    expect(r.code, r.err).toBe(0);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toContain('PRIVATE KEY');
  });

  it('print reads CODER_AIBRIDGE_PROXY_CERT_FILE when set', async () => {
    const out = tmp('ca-env-');
    await runCli(['ca', 'generate', '--out', out, '--data-dir', tmp('unused-')]);
    const r = await runCli(['ca', 'print', '--data-dir', tmp('empty-')], { CODER_AIBRIDGE_PROXY_CERT_FILE: join(out, 'ca.pem') });
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(out, 'ca.pem'), 'utf8').trimEnd());
  });

  it('print fails with a hint when there is no CA yet', async () => {
    const r = await runCli(['ca', 'print', '--data-dir', tmp('no-ca-')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('aibridge ca generate');
  });
});
