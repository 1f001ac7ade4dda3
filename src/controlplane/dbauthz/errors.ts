import { AibridgeError } from '../../errors.js';

/**
 * The subject may not do this. Reads that meet it answer "not found" (Coder's dbauthz turns
 * NotAuthorized into sql.ErrNoRows); the few handlers that answer 403 catch it.
 */
export class NotAuthorizedError extends AibridgeError {
  constructor(
    readonly subject: string,
    readonly action: string,
    readonly objectType: string,
  ) {
    super('NOT_AUTHORIZED', `${subject} is not authorized to ${action} ${objectType}`);
  }
}
