import { createPrivateKey, generateKeyPair, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { CertError } from './errors.js';
import { distinguishedName, issueCertificate, octetString, randomSerialHex, subjectKeyId } from './x509.js';

/** The MITM certificate authority. */
export interface CertAuthority {
  certPem: string;
  keyPem: string;
  /** Path of the CA certificate file users trust. */
  certPath: string;
}

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca.key';
const DAY = 24 * 60 * 60 * 1000;

/** Where a generated CA lives: `<dataDir>/ca/`. */
export function caDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'ca');
}

/**
 * Generates a CA: RSA-2048 (trusted by every client stack), valid from a day ago for ten
 * years, basicConstraints CA with path length 0 (it signs leaves only).
 */
export async function generateCa(opts: { commonName?: string; now?: Date } = {}): Promise<{ certPem: string; keyPem: string }> {
  const now = opts.now ?? new Date();
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const certPem = await issueCertificate(
    {
      serialHex: randomSerialHex(randomBytes(16)),
      subject: distinguishedName(opts.commonName ?? 'Coder AI Bridge Proxy CA', 'aibridge'),
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 3650 * DAY),
      spkiDer,
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        { name: 'subjectKeyIdentifier', value: octetString(subjectKeyId(spkiDer)) },
      ],
    },
    privateKey,
  );
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Refuses a key file that group or others can read: the CA key signs for any host. */
export function checkKeyFileMode(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o044) {
    throw new CertError(
      'CA_KEY_PERMISSIONS',
      `CA key file ${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`,
    );
  }
}

/** Parses and checks a CA pair: the certificate is a CA, the key is its key. */
export function parseCa(certPem: string, keyPem: string, certPath: string): CertAuthority & { key: KeyObject; cert: X509Certificate } {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new CertError('CA_CERT_INVALID', `CA certificate ${certPath} is not a PEM certificate`, { cause: err });
  }
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new CertError('CA_KEY_INVALID', `CA key for ${certPath} is not a PEM private key`, { cause: err });
  }
  if (!cert.ca) throw new CertError('CA_CERT_NOT_CA', `certificate ${certPath} is not a CA certificate (basicConstraints CA:true)`);
  if (!cert.checkPrivateKey(key)) throw new CertError('CA_KEY_MISMATCH', `CA key does not match the certificate ${certPath}`);
  return { certPem, keyPem, certPath, key, cert };
}

/** Loads a CA from its files, checking the key file's mode first. */
export function loadCaFiles(certFile: string, keyFile: string): CertAuthority {
  for (const f of [certFile, keyFile]) {
    if (!existsSync(f)) throw new CertError('CA_FILE_MISSING', `CA file ${f} does not exist`);
  }
  checkKeyFileMode(keyFile);
  const { certPem, keyPem, certPath } = parseCa(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'), certFile);
  return { certPem, keyPem, certPath };
}

/**
 * Writes a CA pair into `dir` (created 0700): the key with mode 0600 (also when it replaces a
 * file), never overwriting an existing file unless `force`.
 */
export function writeCaFiles(dir: string, ca: { certPem: string; keyPem: string }, force = false): { certPath: string; keyPath: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const flag = force ? 'w' : 'wx';
  // The mode only applies to a new file: a replaced key file is narrowed before the key is written.
  const fd = openSync(keyPath, flag, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, ca.keyPem);
  } finally {
    closeSync(fd);
  }
  writeFileSync(certPath, ca.certPem, { mode: 0o644, flag });
  return { certPath, keyPath };
}

/**
 * Loads the CA from proxy.certFile/keyFile, or from `<dataDir>/ca/`, generating it there on
 * first start. A second start reuses it.
 */
export async function loadOrCreateCa(config: Config, log: Logger): Promise<CertAuthority> {
  const l = log.child({ module: 'certs' });
  const { certFile, keyFile } = config.proxy;
  if (certFile || keyFile) {
    if (!certFile || !keyFile) {
      throw new CertError('CA_FILE_MISSING', 'proxy.certFile and proxy.keyFile must be set together (CODER_AIBRIDGE_PROXY_CERT_FILE, CODER_AIBRIDGE_PROXY_KEY_FILE)');
    }
    const ca = loadCaFiles(certFile, keyFile);
    l.info({ certPath: ca.certPath }, 'MITM CA loaded');
    return ca;
  }
  const dir = caDir(config);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const haveCert = existsSync(certPath);
  const haveKey = existsSync(keyPath);
  if (haveCert && haveKey) {
    const ca = loadCaFiles(certPath, keyPath);
    l.info({ certPath }, 'MITM CA loaded from the data directory');
    return ca;
  }
  if (haveCert !== haveKey) {
    throw new CertError('CA_FILE_MISSING', `${haveCert ? keyPath : certPath} is missing while ${haveCert ? certPath : keyPath} exists; restore it or remove both to generate a new CA`);
  }
  const generated = await generateCa();
  try {
    writeCaFiles(dir, generated);
  } catch (err) {
    // Another process generated one at the same moment: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadCaFiles(certPath, keyPath);
    throw err;
  }
  l.info({ certPath }, 'MITM CA generated');
  return { ...generated, certPath };
}
