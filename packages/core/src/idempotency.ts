import { createHash } from 'node:crypto';
import { BatonError } from './errors.js';

/** What makes two requests under one Idempotency-Key the same request. */
export interface IdempotentRequest {
  method: string;
  /** The canonical path of the route, e.g. `/sessions/chat-1/messages`. */
  route: string;
  tenant: string;
  /** The body's canonical text: only the fields that change what is recorded. */
  body: Record<string, string | undefined>;
}

/**
 * The hash stored with an input's dedupe record, as Stripe does: a key sent again with another
 * method, route, tenant or body is a client bug, answered with 422 instead of the first answer.
 *
 * @example
 * const hash = idempotencyHash({ method: 'POST', route: '/sessions/s1/messages', tenant: 'acme', body: { text: 'hi' } });
 */
export function idempotencyHash(request: IdempotentRequest): string {
  // A field left out and a field sent as undefined are the same request.
  const body = Object.keys(request.body)
    .filter((name) => request.body[name] !== undefined)
    .sort()
    .map((name) => [name, request.body[name]]);
  // A JSON array is unambiguous: no field can run into the next one.
  const canonical = JSON.stringify(['v1', request.method.toUpperCase(), request.route, request.tenant, body]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The Idempotency-Key was first used for a different request; nothing was written. */
export class IdempotencyKeyReusedError extends BatonError {
  constructor() {
    super(
      'idempotency_key_reused',
      'this Idempotency-Key was already used for a different request; send a new key for a new request',
      { retryable: false, status: 422 },
    );
  }
}

/**
 * Throws when a dedupe record stored a request hash that differs from this request's. Records
 * without a hash (written before hashes were stored, or by triggers that send none) and requests
 * without one keep the first-answer behaviour.
 */
export function assertSameRequest(stored: unknown, requestHash: string | undefined): void {
  if (requestHash === undefined || stored === null || typeof stored !== 'object') return;
  const storedHash = (stored as { requestHash?: unknown }).requestHash;
  if (typeof storedHash === 'string' && storedHash !== requestHash) throw new IdempotencyKeyReusedError();
}
