// CONTRACT (owned by the certs/proxy work): replace this stub with the real implementation.
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';

/** The MITM certificate authority. */
export interface CertAuthority {
  certPem: string;
  keyPem: string;
  /** Path of the CA certificate file users trust. */
  certPath: string;
}

/** Loads the CA from proxy.certFile/keyFile, or generates one in the data dir on first start. */
export async function loadOrCreateCa(_config: Config, _log: Logger): Promise<CertAuthority> {
  throw new Error('certs: not implemented yet');
}
