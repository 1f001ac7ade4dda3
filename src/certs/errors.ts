import { AibridgeError } from '../errors.js';

/** A problem with the MITM CA or a leaf certificate; `code` says which. */
export class CertError extends AibridgeError {
  constructor(code: string, message: string, opts?: ErrorOptions) {
    super(code, message, opts);
  }
}
