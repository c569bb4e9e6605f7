import { ValidationError } from './errors.js';

/**
 * A session is addressed by its tenant and an id chosen by the trigger (an HTTP path segment, a
 * Slack team+channel+thread, a queue attribute). Stores derive their own safe keys from these two.
 */
export interface SessionRef {
  tenant: string;
  sessionId: string;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// Printable, no control characters; '/' and '\' are allowed here and encoded by stores that forbid them.
const SESSION_ID = /^[^\p{Cc}\s][^\p{Cc}]{0,255}$/u;

/** Validates a ref from untrusted input; throws a ValidationError naming the bad field. */
export function sessionRef(tenant: unknown, sessionId: unknown): SessionRef {
  if (typeof tenant !== 'string' || !TENANT.test(tenant)) {
    throw new ValidationError('tenant must be 1-128 characters of letters, digits, ".", "_", ":" or "-"', {
      field: 'tenant',
    });
  }
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId) || sessionId.trim() !== sessionId) {
    throw new ValidationError(
      'sessionId must be 1-256 printable characters without leading or trailing spaces',
      {
        field: 'sessionId',
      },
    );
  }
  return { tenant, sessionId };
}

/** A readable, unique string for logs, errors, dedupe and idempotency keys. */
export function refKey(ref: SessionRef): string {
  return `${ref.tenant}/${ref.sessionId}`;
}
