import { BatonError } from '../errors.js';

/**
 * Why a request was refused before any route ran. 401 codes mean "who are you?" (answered with
 * `WWW-Authenticate: Bearer`); 403 codes mean the caller, its tenant or its browser context may not.
 */
export type AuthErrorCode =
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'insufficient_scope'
  | 'tenant_mismatch'
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'not_an_approver';

const UNAUTHENTICATED: ReadonlySet<AuthErrorCode> = new Set(['unauthenticated', 'invalid_credentials']);

/**
 * A refused caller. Never retryable: the same request with the same credentials is refused again.
 *
 * @example
 * throw new AuthError('invalid_credentials', 'the API key is revoked');
 */
export class AuthError extends BatonError {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: UNAUTHENTICATED.has(code) ? 401 : 403, retryable: false, ...options });
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
