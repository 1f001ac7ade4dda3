import { generateKeyPair, randomBytes, X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import type { CertAuthority } from './ca.js';
import { distinguishedName, issueCertificate, randomSerialHex, readIssuerInfo, type Extension, type IssuerInfo } from './x509.js';

const DAY = 24 * 60 * 60 * 1000;
/** Leaf validity, as goproxy's signer (and Coder) use: a month back, a year ahead. */
export const LEAF_NOT_BEFORE_MS = 30 * DAY;
export const LEAF_NOT_AFTER_MS = 365 * DAY;

export interface Leaf {
  host: string;
  /** The leaf followed by the CA: what the TLS server presents. */
  chainPem: string;
  certPem: string;
  notAfter: Date;
}

/** Mints leaf certificates for hosts, all for one key pair made at start. */
export interface LeafIssuer {
  /** PEM (PKCS#8) of the one leaf private key. */
  keyPem: string;
  mint(host: string, now?: Date): Promise<Leaf>;
}

/**
 * Creates the issuer: one ECDSA P-256 key pair for every leaf, so minting a leaf is a single
 * signature by the CA key, not a key generation. P-256 also makes each TLS handshake cheap
 * for the proxy (an ECDSA signature costs a fraction of an RSA-2048 one), and every TLS 1.2+
 * client accepts it whatever the CA's own key type.
 */
export async function createLeafIssuer(ca: CertAuthority): Promise<LeafIssuer> {
  const caKey: KeyObject = createPrivateKey(ca.keyPem);
  const caCert = new X509Certificate(ca.certPem);
  const issuer: IssuerInfo = readIssuerInfo(caCert.raw);
  // A leaf never outlives its CA: some verifiers reject a chain that does.
  const caNotAfter = new Date(caCert.validTo).getTime();
  const { publicKey, privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const caPem = ca.certPem.endsWith('\n') ? ca.certPem : ca.certPem + '\n';

  return {
    keyPem,
    async mint(host: string, now = new Date()): Promise<Leaf> {
      const ip = isIP(host) !== 0;
      const extensions: Extension[] = [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [ip ? { type: 7, ip: host } : { type: 2, value: host }] },
      ];
      if (issuer.keyId) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuer.keyId });
      const notAfter = new Date(Math.min(now.getTime() + LEAF_NOT_AFTER_MS, caNotAfter));
      const certPem = await issueCertificate(
        {
          serialHex: randomSerialHex(randomBytes(16)),
          issuer: issuer.subject,
          subject: distinguishedName(host),
          notBefore: new Date(now.getTime() - LEAF_NOT_BEFORE_MS),
          notAfter,
          spkiDer,
          extensions,
        },
        caKey,
      );
      return { host, certPem, chainPem: certPem + caPem, notAfter };
    },
  };
}
