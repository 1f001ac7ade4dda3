import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLeafIssuer, generateCa, type CertAuthority, type LeafIssuer } from '../../src/certs/index.js';
import { distinguishedName, issueCertificate, octetString, randomSerialHex, subjectKeyId } from '../../src/certs/x509.js';

const DAY = 86400_000;

describe('leaf certificates', () => {
  let ca: CertAuthority;
  let issuer: LeafIssuer;
  beforeAll(async () => {
    ca = { ...(await generateCa()), certPath: 'unused' };
    issuer = await createLeafIssuer(ca);
  });

  it('names the host in CN and SAN, is for serverAuth, and verifies against the CA', async () => {
    const now = new Date('2026-01-15T12:00:00Z');
    const leaf = await issuer.mint('api.openai.com', now);
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.subject).toBe('CN=api.openai.com');
    expect(cert.subjectAltName).toBe('DNS:api.openai.com');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBe(now.getTime() - 30 * DAY);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 365 * DAY);
    expect(cert.checkHost('api.openai.com')).toBe('api.openai.com');
    expect(cert.checkHost('evil.com')).toBeUndefined();
  });

  it('puts the CA after the leaf in the chain it serves', async () => {
    const leaf = await issuer.mint('api.anthropic.com');
    expect(leaf.chainPem).toBe(leaf.certPem + ca.certPem);
  });

  it('uses an IP SAN for an address', async () => {
    const leaf = await issuer.mint('127.0.0.1');
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('certifies the one leaf key for every host, with a fresh serial each time', async () => {
    const a = new X509Certificate((await issuer.mint('a.example')).certPem);
    const b = new X509Certificate((await issuer.mint('b.example')).certPem);
    const leafPub = createPublicKey(createPrivateKey(issuer.keyPem)).export({ type: 'spki', format: 'der' });
    expect(a.publicKey.export({ type: 'spki', format: 'der' }).equals(leafPub)).toBe(true);
    expect(b.publicKey.export({ type: 'spki', format: 'der' }).equals(leafPub)).toBe(true);
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  it('passes openssl verification with the serverAuth purpose', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leaf-'));
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'leaf.pem'), (await issuer.mint('api.openai.com')).certPem);
    const out = execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-verify_hostname', 'api.openai.com', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
    expect(out.trim()).toBe(`${join(dir, 'leaf.pem')}: OK`);
  });

  it('mints with a few milliseconds of CPU: one native signature, no key generation', async () => {
    await issuer.mint('warm.example');
    // CPU time of this process (all threads), so other processes' load does not count.
    const c0 = process.cpuUsage();
    for (let i = 0; i < 20; i++) await issuer.mint(`h${i}.example`);
    const c = process.cpuUsage(c0);
    // Forge's own RSA signing alone costs about 24 ms per leaf; a key generation far more.
    expect((c.user + c.system) / 1000 / 20).toBeLessThan(15);
  });

  it('works with an operator CA whose key is ECDSA, copying its subject and key id', async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
    const certPem = await issueCertificate(
      {
        serialHex: randomSerialHex(randomBytes(16)),
        subject: distinguishedName('Operator EC CA', 'Example Corp'),
        notBefore: new Date(Date.now() - DAY),
        notAfter: new Date(Date.now() + 90 * DAY),
        spkiDer: spki,
        extensions: [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, critical: true },
          { name: 'subjectKeyIdentifier', value: octetString(subjectKeyId(spki)) },
        ],
      },
      keys.privateKey,
    );
    const ecCa = { certPem, keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPath: 'x' };
    const leaf = await (await createLeafIssuer(ecCa)).mint('api.openai.com');
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(certPem);
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    // The CA expires in 90 days: the leaf does not outlive it.
    expect(new Date(cert.validTo).getTime()).toBeLessThanOrEqual(new Date(caCert.validTo).getTime());
  });
});
