import { ModelError } from '@baton/core';
// The error classes alone (a few KB), not the SDK: models load the SDK on their first call.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai/core/error';

/**
 * Statuses where the same request can succeed later: timeouts, conflicts, throttling, server
 * failures. 400/401/403/404/422 mean the request or the credentials are wrong and stay wrong.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Translates whatever the SDK threw into a ModelError whose `retryable` flag a queue can act on. */
export function toModelError(error: unknown, provider: string): ModelError {
  if (error instanceof ModelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError')) {
    return abortedError(provider, error);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelError(`${provider}: request timed out`, { retryable: true, cause: error, provider });
  }
  if (error instanceof APIConnectionError) {
    return new ModelError(`${provider}: connection failed: ${message}`, {
      retryable: true,
      cause: error,
      provider,
    });
  }
  if (error instanceof APIError) {
    if (error.status === undefined) {
      // An error event inside a stream has no HTTP status; only a request the server rejects as
      // invalid is worth dead-lettering.
      const retryable = error.type !== 'invalid_request_error';
      return new ModelError(`${provider}: ${message}`, { retryable, cause: error, provider });
    }
    return new ModelError(`${provider}: ${message}`, {
      retryable: isRetryableStatus(error.status),
      status: error.status,
      cause: error,
      provider,
    });
  }
  if (error instanceof SyntaxError) {
    // The request was fine; the answer was garbled on the way back, which a retry can fix.
    return new ModelError(`${provider}: malformed response body: ${message}`, {
      retryable: true,
      cause: error,
      provider,
    });
  }
  // Dropped sockets surface as plain TypeErrors ("terminated") from fetch: transient.
  return new ModelError(`${provider}: ${message}`, { retryable: true, cause: error, provider });
}

/** The invocation's deadline passed mid-call: the next invocation can make the same call. */
export function abortedError(provider: string, cause?: unknown): ModelError {
  return new ModelError(`${provider}: call aborted at the invocation deadline`, {
    retryable: true,
    cause,
    provider,
  });
}

/** A response that parsed as JSON but is not the shape the API promises. */
export function malformedResponse(provider: string, what: string): ModelError {
  return new ModelError(`${provider}: malformed response: ${what}`, { retryable: true, provider });
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts. The SDK honours the signal for the
 * request itself but not while it sleeps between retries; a call must never outlive the deadline.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new APIUserAbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new APIUserAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
