import { HttpError } from '../../errors.js';

/**
 * Coder's standard responses (coderd/httpapi), so clients that parse Coder's messages keep
 * working. Authorization failures read as "not found" unless a handler says otherwise.
 */
export const ResourceNotFoundMessage = 'Resource not found or you do not have access to this resource';
export const SignedOutErrorMessage = 'You are signed out or your session has expired. Please sign in again to continue.';

export function resourceNotFound(detail?: string): HttpError {
  return new HttpError(404, ResourceNotFoundMessage, detail);
}

export function forbidden(detail = "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials."): HttpError {
  return new HttpError(403, 'Forbidden.', detail);
}

export function unauthorized(detail?: string): HttpError {
  return new HttpError(401, SignedOutErrorMessage, detail);
}

export function badRequest(message: string, detail?: string): HttpError {
  return new HttpError(400, message, detail);
}

export function conflict(message: string, detail?: string): HttpError {
  return new HttpError(409, message, detail);
}

export interface Validation {
  field: string;
  detail: string;
}

export function validationFailed(validations: Validation[], message = 'Validation failed.'): HttpError {
  return new HttpError(400, message, undefined, validations);
}
