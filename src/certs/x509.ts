import { sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CertError } from './errors.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

/**
 * X.509 encoding: node-forge builds the to-be-signed certificate (TBS) as ASN.1 and Node's
 * native `crypto.sign` signs its DER. Forge's own RSA signing blocks the event loop for about
 * 24 ms per certificate; native signing takes about 0.5 ms and runs off the loop when called
 * asynchronously. Building the TBS from parts (rather than through a forge `Certificate`)
 * also lets the subject key be any type Node supports (forge only encodes RSA keys).
 */

/** The signature algorithm a signing key implies, as the TBS and the outer certificate name it. */
export interface SignatureAlgorithm {
  oid: string;
  /** RSA PKCS#1 v1.5 carries an explicit NULL parameter; ECDSA and Ed25519 carry none. */
  nullParams: boolean;
  /** Digest passed to `crypto.sign`; null for Ed25519 (the algorithm hashes internally). */
  digest: string | null;
}

export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { oid: '1.2.840.113549.1.1.11', nullParams: true, digest: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return { oid: '1.2.840.10045.4.3.2', nullParams: false, digest: 'sha256' };
      if (curve === 'secp384r1') return { oid: '1.2.840.10045.4.3.3', nullParams: false, digest: 'sha384' };
      if (curve === 'secp521r1') return { oid: '1.2.840.10045.4.3.4', nullParams: false, digest: 'sha512' };
      throw new CertError('CA_KEY_UNSUPPORTED', `unsupported EC curve ${curve ?? 'unknown'} for the CA key`);
    }
    case 'ed25519':
      return { oid: '1.3.101.112', nullParams: false, digest: null };
    default:
      throw new CertError('CA_KEY_UNSUPPORTED', `unsupported CA key type ${key.asymmetricKeyType ?? 'unknown'} (use RSA, ECDSA or Ed25519)`);
  }
}

function algorithmIdentifier(alg: SignatureAlgorithm): Asn1 {
  const parts: Asn1[] = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(alg.oid).getBytes())];
  if (alg.nullParams) parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function timeNode(d: Date): Asn1 {
  return d.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

/** A distinguished name of CN (and O), encoded as UTF8String so any host name is representable. */
export function distinguishedName(commonName: string, organization?: string): Asn1 {
  const rdn = (oid: string, value: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(value)),
      ]),
    ]);
  const rdns = organization ? [rdn(OID_O, organization), rdn(OID_CN, commonName)] : [rdn(OID_CN, commonName)];
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, rdns);
}

/** Parses DER into forge ASN.1. */
export function derToAsn1(der: Buffer): Asn1 {
  // Bit strings stay opaque: forge would otherwise parse a key's bits as nested ASN.1.
  const fromDer = asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: { decodeBitStrings: boolean }) => Asn1;
  return fromDer(forge.util.createBuffer(der.toString('binary')), { decodeBitStrings: false });
}

function asn1ToDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** The parts of an issuing certificate a child certificate copies byte for byte. */
export interface IssuerInfo {
  /** The issuer's subject, raw: chain building compares names byte for byte. */
  subject: Asn1;
  /** The issuer's subjectKeyIdentifier, when it has one (becomes the child's authorityKeyIdentifier). */
  keyId?: string;
}

/** Reads the subject and subject key id out of a DER certificate. */
export function readIssuerInfo(certDer: Buffer): IssuerInfo {
  const cert = derToAsn1(certDer);
  const tbs = (cert.value as Asn1[])[0];
  const fields = tbs.value as Asn1[];
  // version is an explicit [0]; absent in v1 certificates.
  const base = fields[0].tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const subject = fields[base + 4];
  let keyId: string | undefined;
  for (const f of fields.slice(base + 6)) {
    if (f.tagClass !== asn1.Class.CONTEXT_SPECIFIC || f.type !== 3) continue;
    for (const ext of ((f.value as Asn1[])[0].value as Asn1[]) ?? []) {
      const parts = ext.value as Asn1[];
      if (asn1.derToOid(forge.util.createBuffer(parts[0].value as string)) !== '2.5.29.14') continue;
      const octets = parts[parts.length - 1].value as string;
      const inner = asn1.fromDer(forge.util.createBuffer(octets));
      keyId = inner.value as string;
    }
  }
  return { subject, keyId };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function subjectKeyId(spkiDer: Buffer): string {
  const spki = derToAsn1(spkiDer);
  const bits = (spki.value as Asn1[])[1].value as string;
  const md = forge.md.sha1.create();
  md.update(bits.slice(1));
  return md.digest().getBytes();
}

/** An OCTET STRING node (the value of a subjectKeyIdentifier extension). */
export function octetString(bytes: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
}

/** Extension descriptors in node-forge's format (`{ name, critical, ...fields }`). */
export type Extension = Record<string, unknown> & { name: string };

/** Encodes extensions through forge (it fills in each value from the named fields). */
function extensionsNode(exts: Extension[]): Asn1 {
  const holder = forge.pki.createCertificate();
  holder.setExtensions(exts);
  const pki = forge.pki as unknown as { certificateExtensionsToAsn1(e: unknown[]): Asn1 };
  return pki.certificateExtensionsToAsn1(holder.extensions);
}

export interface CertificateSpec {
  serialHex: string;
  /** The issuer's raw subject; omitted for a self-signed certificate (issuer = subject). */
  issuer?: Asn1;
  subject: Asn1;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the certified key. */
  spkiDer: Buffer;
  extensions: Extension[];
}

/** Builds the TBS certificate with forge; returns its DER. */
export function encodeTbs(spec: CertificateSpec, alg: SignatureAlgorithm): Buffer {
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(spec.serialHex)),
    algorithmIdentifier(alg),
    spec.issuer ?? spec.subject,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [timeNode(spec.notBefore), timeNode(spec.notAfter)]),
    spec.subject,
    derToAsn1(spec.spkiDer),
    extensionsNode(spec.extensions),
  ]);
  return asn1ToDer(tbs);
}

/** Wraps a TBS and its signature into a certificate; returns its DER. */
export function assembleCertificate(tbsDer: Buffer, alg: SignatureAlgorithm, signature: Buffer): Buffer {
  const cert = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    derToAsn1(tbsDer),
    algorithmIdentifier(alg),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  return asn1ToDer(cert);
}

/** Signs off the event loop (libuv thread pool). */
export function signAsync(alg: SignatureAlgorithm, data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign(alg.digest, data, key, (err, sig) => (err ? reject(err) : resolve(sig)));
  });
}

/** Builds, signs and encodes a certificate; returns its PEM. */
export async function issueCertificate(spec: CertificateSpec, signingKey: KeyObject): Promise<string> {
  const alg = signatureAlgorithmFor(signingKey);
  const tbs = encodeTbs(spec, alg);
  const sig = await signAsync(alg, tbs, signingKey);
  return derToPem(assembleCertificate(tbs, alg, sig));
}

export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A positive 128-bit serial number (the top bit cleared so DER keeps it positive). */
export function randomSerialHex(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[0] = (b[0] & 0x7f) | 0x01;
  return b.toString('hex');
}
