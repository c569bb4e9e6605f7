import { ValidationError } from './errors.js';

/**
 * A session is addressed by its tenant and an id chosen by the trigger (an HTTP path segment, a
 * Slack team+channel+thread, a queue attribute). Stores derive their own safe keys from these two.
 */
export interface SessionRef {
  tenant: string;
  sessionId: string;
}

// ASCII only, so a tenant can never carry a bidi control or an invisible character.
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// Printable, no control characters; '/' and '\' are allowed here and encoded by stores that forbid them.
const SESSION_ID = /^[^\p{Cc}\s][^\p{Cc}]{0,255}$/u;

/**
 * Characters that make one id look like another in the console and logs: bidi controls reorder
 * what is shown (`abc\u202Efdp.exe`), invisible ones make two different ids look the same.
 */
const SPOOFING: { name: string; pattern: RegExp }[] = [
  { name: 'bidirectional control', pattern: /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u },
  { name: 'zero-width or invisible', pattern: /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E]/u },
];

/** Validates a ref from untrusted input; throws a ValidationError naming the bad field. */
export function sessionRef(tenant: unknown, sessionId: unknown): SessionRef {
  if (!isTenant(tenant)) {
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
  for (const { name, pattern } of SPOOFING) {
    const found = pattern.exec(sessionId);
    if (found) {
      const codePoint = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new ValidationError(`sessionId must not contain ${name} characters (found ${codePoint})`, {
        field: 'sessionId',
        refused: name,
        codePoint,
      });
    }
  }
  return { tenant, sessionId };
}

/** Whether a tenant from any source (header, key record, token claim) is one Baton accepts. */
export function isTenant(tenant: unknown): tenant is string {
  return typeof tenant === 'string' && TENANT.test(tenant);
}

/** A readable, unique string for logs, errors, dedupe and idempotency keys. */
export function refKey(ref: SessionRef): string {
  return `${ref.tenant}/${ref.sessionId}`;
}
