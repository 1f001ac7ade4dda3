import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './procs.js';

/** A throwaway CA (RSA-2048) for the proxies under test, made with openssl. */
export function makeCa(): { certFile: string; keyFile: string; certPem: string } {
  const dir = tmp('ca');
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30',
    '-subj', '/CN=aibridge bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { stdio: 'ignore' });
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}

/** A self-signed server certificate for 127.0.0.1 (the tunnel scenario's TLS backend). */
export function makeServerCert(): { key: string; cert: string } {
  const dir = tmp('srv');
  const certFile = join(dir, 'srv.pem');
  const keyFile = join(dir, 'srv.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
