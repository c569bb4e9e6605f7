import { BatonError } from '@baton/core';

const TRANSIENT = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'KmsThrottled',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * An SQS call failed. `retryable` follows the SDK's own verdict (throttling, 5xx, network errors),
 * so a queue adapter retries what can recover and dead-letters what cannot (a missing queue, bad
 * permissions).
 */
export class QueueError extends BatonError {
  constructor(operation: string, cause: unknown) {
    const sdk = cause as {
      name?: string;
      message?: string;
      $retryable?: unknown;
      $fault?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const name = sdk?.name ?? 'Error';
    const status = sdk?.$metadata?.httpStatusCode;
    const retryable =
      Boolean(sdk?.$retryable) ||
      sdk?.$fault === 'server' ||
      TRANSIENT.has(name) ||
      status === undefined ||
      status >= 500;
    super(
      retryable ? 'queue_unavailable' : 'queue_error',
      `SQS ${operation} failed: ${name}: ${sdk?.message}`,
      {
        retryable,
        status: retryable ? 503 : 500,
        cause,
        details: { operation, sdkError: name, ...(status !== undefined ? { upstreamStatus: status } : {}) },
      },
    );
  }
}
