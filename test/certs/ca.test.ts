import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertError, generateCa, loadCaFiles, loadOrCreateCa } from '../../src/certs/index.js';
import { testConfig } from '../../src/config/index.js';
import { testLog } from '../helpers/log.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('generateCa', () => {
  let ca: { certPem: string; keyPem: string };
  beforeAll(async () => {
    ca = await generateCa();
  });

  it('makes a self-signed CA certificate limited to signing leaves', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=Coder AI Bridge Proxy CA');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    const days = (new Date(cert.validTo).getTime() - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(3640);
  });

  it('pairs the key with the certificate', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(cert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
  });
});

describe('loadOrCreateCa', () => {
  let pairs: { certPem: string; keyPem: string }[];
  beforeAll(async () => {
    pairs = await Promise.all([generateCa(), generateCa()]);
  });

  it('generates a CA into <dataDir>/ca on first start, key mode 0600, and reuses it on the next start', async () => {
    const dataDir = tmp('ca-data-');
    const config = testConfig({ dataDir });
    const first = await loadOrCreateCa(config, testLog);
    expect(first.certPath).toBe(join(dataDir, 'ca', 'ca.pem'));
    expect(statSync(join(dataDir, 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'ca')).mode & 0o077).toBe(0);
    const second = await loadOrCreateCa(config, testLog);
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
  });

  it('refuses to start when the key file is readable by group or others', async () => {
    const dataDir = tmp('ca-perm-');
    const config = testConfig({ dataDir });
    await loadOrCreateCa(config, testLog);
    const keyPath = join(dataDir, 'ca', 'ca.key');
    for (const mode of [0o640, 0o604, 0o644]) {
      chmodSync(keyPath, mode);
      await expect(loadOrCreateCa(config, testLog)).rejects.toMatchObject({ code: 'CA_KEY_PERMISSIONS' });
    }
    chmodSync(keyPath, 0o400);
    await expect(loadOrCreateCa(config, testLog)).resolves.toBeDefined();
  });

  it('loads the CA from proxy.certFile and proxy.keyFile', async () => {
    const dir = tmp('ca-files-');
    const pair = pairs[0];
    writeFileSync(join(dir, 'op.pem'), pair.certPem);
    writeFileSync(join(dir, 'op.key'), pair.keyPem, { mode: 0o600 });
    const ca = await loadOrCreateCa(testConfig({ dataDir: tmp('unused-'), 'proxy.certFile': join(dir, 'op.pem'), 'proxy.keyFile': join(dir, 'op.key') }), testLog);
    expect(ca.certPath).toBe(join(dir, 'op.pem'));
    expect(ca.certPem).toBe(pair.certPem);
  });

  it('does not generate into the data dir when files are configured', async () => {
    const dataDir = tmp('ca-nogen-');
    await expect(
      loadOrCreateCa(testConfig({ dataDir, 'proxy.certFile': join(dataDir, 'missing.pem'), 'proxy.keyFile': join(dataDir, 'missing.key') }), testLog),
    ).rejects.toMatchObject({ code: 'CA_FILE_MISSING' });
    expect(existsSync(join(dataDir, 'ca'))).toBe(false);
  });

  it.each([
    ['a key that does not match the certificate', 'CA_KEY_MISMATCH'],
    ['a certificate that is not a CA', 'CA_CERT_NOT_CA'],
    ['a file that is not PEM', 'CA_CERT_INVALID'],
  ])('rejects %s', async (what, code) => {
    const dir = tmp('ca-bad-');
    const [a, b] = pairs;
    let cert = a.certPem;
    const key = a.keyPem;
    if (code === 'CA_KEY_MISMATCH') cert = b.certPem;
    if (code === 'CA_CERT_INVALID') cert = 'junk';
    if (code === 'CA_CERT_NOT_CA') {
      // A leaf of our own is a certificate that is not a CA, with a key we hold.
      const { createLeafIssuer } = await import('../../src/certs/index.js');
      const issuer = await createLeafIssuer({ ...a, certPath: 'x' });
      const leaf = await issuer.mint('example.com');
      cert = leaf.certPem;
      writeFileSync(join(dir, 'k.key'), issuer.keyPem, { mode: 0o600 });
    } else {
      writeFileSync(join(dir, 'k.key'), key, { mode: 0o600 });
    }
    writeFileSync(join(dir, 'c.pem'), cert);
    expect(() => loadCaFiles(join(dir, 'c.pem'), join(dir, 'k.key'))).toThrow(CertError);
    try {
      loadCaFiles(join(dir, 'c.pem'), join(dir, 'k.key'));
    } catch (err) {
      expect((err as CertError).code, what).toBe(code);
    }
  });

  it('refuses a data dir holding only half of a CA', async () => {
    const dataDir = tmp('ca-half-');
    mkdirSync(join(dataDir, 'ca'));
    const pair = pairs[1];
    writeFileSync(join(dataDir, 'ca', 'ca.pem'), pair.certPem);
    await expect(loadOrCreateCa(testConfig({ dataDir }), testLog)).rejects.toThrow(/ca\.key is missing/);
    expect(readFileSync(join(dataDir, 'ca', 'ca.pem'), 'utf8')).toBe(pair.certPem);
  });
});
