import {
  BatonError,
  StoreFullError,
  StoreItemTooLargeError,
  StoreUnavailableError,
  ThrottledError,
} from '@baton/core';

/**
 * Cosmos statuses and SDK failures as core errors, so queue adapters can tell a retry that may help
 * (throttling, timeouts, unavailability) from one that cannot.
 */

// 408 timeout, 410 gone (partition moved), 449 retry-with, 500 and 503: transient, outcome may be unknown.
const TRANSIENT = new Set([408, 410, 449, 500, 502, 503, 504]);

// Codes Node's sockets use for connections that failed or died mid-request.
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

// 403 substatus of a logical partition at its 20 GB limit.
const PARTITION_FULL_SUBSTATUS = 1014;

/**
 * A Cosmos status (of a request or of one batch operation) as a core error. `substatus` and
 * `message` come with a request's error, and tell a 403 of a full partition or a storage quota from
 * one of an identity that may not use the container.
 */
export function errorForStatus(
  status: number,
  what: string,
  cause?: unknown,
  detail: { substatus?: unknown; message?: string } = {},
): BatonError {
  if (status === 429) return new ThrottledError(`Cosmos DB throttled ${what} (429)`, cause);
  if (TRANSIENT.has(status)) return new StoreUnavailableError(`Cosmos DB failed ${what} (${status})`, cause);
  if (status === 413) {
    return new StoreItemTooLargeError(
      `Cosmos DB rejected ${what}: a document is over its 2 MB limit (413)`,
      cause,
    );
  }
  const full =
    status === 507 ||
    (status === 403 &&
      (detail.substatus === PARTITION_FULL_SUBSTATUS || /quota|maximum size/i.test(detail.message ?? '')));
  if (full) {
    return new StoreFullError(
      `Cosmos DB has no room for ${what} (${status}): the session's partition or the account is at its storage limit; nothing was written`,
      cause,
    );
  }
  if (status === 401 || status === 403) {
    return new BatonError(
      'store_forbidden',
      `Cosmos DB refused ${what} (${status}): give the app's identity a data role on the container`,
      { retryable: false, status: 500, cause },
    );
  }
  return new BatonError('store_rejected', `Cosmos DB rejected ${what} (${status})`, {
    retryable: false,
    status: 500,
    cause,
  });
}

/** An error the SDK threw, as a core error; core errors and errors that are not Cosmos's pass through. */
export function mapCosmosError(error: unknown, what: string): unknown {
  if (error instanceof BatonError) return error;
  const details = error as { code?: unknown; name?: unknown; message?: unknown; substatus?: unknown } | null;
  const code = details?.code;
  const message = typeof details?.message === 'string' ? details.message : '';
  if (typeof code === 'number') {
    return errorForStatus(code, what, error, { substatus: details?.substatus, message });
  }
  if (details?.name === 'TimeoutError' || code === 'TimeoutError' || details?.name === 'AbortError') {
    return new StoreUnavailableError(`Cosmos DB timed out during ${what}; the outcome is unknown`, error);
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new StoreUnavailableError(`Cosmos DB connection failed during ${what} (${code})`, error);
  }
  // @azure/cosmos 4.x rethrows a failed batch request as a plain Error("Batch request error: ...") and
  // drops the status code; the service's message is all that is left to tell throttling apart. The
  // batch may or may not have been applied (a timeout), so it is retryable either way: a retry of an
  // applied commit fails its ETag condition instead of writing twice.
  if (message.startsWith('Batch request error')) {
    if (/request rate is large|\b429\b/i.test(message)) {
      return new ThrottledError(`Cosmos DB throttled ${what}: ${message}`, error);
    }
    return new StoreUnavailableError(`Cosmos DB failed ${what}: ${message}`, error);
  }
  return error;
}
