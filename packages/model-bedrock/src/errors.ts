import { ModelError } from '@baton/core';

/** Exceptions a later attempt can get past: throttling, capacity, timeouts, transient failures. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'ModelTimeoutException',
  'ModelNotReadyException',
  'InternalServerException',
  'ModelErrorException',
  'ModelStreamErrorException',
  'BadGatewayException',
  // Bedrock Agents: another call on the same session was in flight.
  'ConflictException',
  'TimeoutError',
  'RequestTimeout',
]);

/** Exceptions that say the request, the model id or the credentials are wrong and stay wrong. */
const NOT_RETRYABLE = new Set([
  'ValidationException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'ServiceQuotaExceededException',
  'DependencyFailedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Translates what the AWS SDK threw into a ModelError whose `retryable` flag a queue can act on. */
export function toModelError(error: unknown, provider: string): ModelError {
  if (error instanceof ModelError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const name = shape.name ?? 'Error';
  const status = shape.$metadata?.httpStatusCode;
  const message = `${provider}: ${name}: ${shape.message ?? String(error)}`;
  if (name === 'AbortError') return abortedError(provider, error);
  let retryable: boolean;
  if (RETRYABLE.has(name)) retryable = true;
  else if (NOT_RETRYABLE.has(name)) retryable = false;
  else if (shape.$retryable) retryable = true;
  else if (status !== undefined && status >= 400) retryable = isRetryableStatus(status);
  else if (shape.code !== undefined && TRANSIENT_CODES.has(shape.code)) retryable = true;
  // A body that does not parse, a dropped stream: the request was fine, a retry can succeed.
  else retryable = true;
  return new ModelError(message, {
    retryable,
    ...(status !== undefined && status >= 400 ? { status } : {}),
    cause: error,
    provider,
  });
}

/** The invocation's deadline passed mid-call: the next invocation can make the same call. */
export function abortedError(provider: string, cause?: unknown): ModelError {
  return new ModelError(`${provider}: call aborted at the invocation deadline`, {
    retryable: true,
    cause,
    provider,
  });
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts, even while the SDK waits between
 * retries: a call must never outlive the invocation's deadline.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  provider: string,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortedError(provider));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(provider));
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
