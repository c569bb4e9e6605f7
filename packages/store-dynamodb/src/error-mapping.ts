import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  BatonError,
  ConflictError,
  DuplicateError,
  StoreFullError,
  StoreItemTooLargeError,
  StoreUnavailableError,
  ThrottledError,
} from '@baton/core';
import { parseDedupe } from '@baton/core/store';
import { parseItemJson } from './chunks.js';
import { fromAttributes } from './records.js';

/**
 * DynamoDB's failures turned into core's typed errors, each carrying whether a retry can help. The
 * SDK has already retried throttling and 5xx answers by the time an error reaches us.
 */

/** Codes (in cancellation reasons) and exception names that mean "slow down and try again". */
const THROTTLING = new Set([
  'ProvisionedThroughputExceeded',
  'ProvisionedThroughputExceededException',
  'ThrottlingError',
  'ThrottlingException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
]);

/** DynamoDB's words for an item over its 400 KB limit (a put, or an update that would grow one). */
const ITEM_TOO_LARGE = /item size .*exceeded/i;

/** Exception names of credentials or a role that may not use the table: no retry fixes them. */
const FORBIDDEN = new Set(['AccessDeniedException', 'UnrecognizedClientException']);

/** What each action of a commit's transaction wrote, in action order. */
export type ActionRole = { kind: 'head' } | { kind: 'event'; seq: number } | { kind: 'dedupe' };

interface SdkError {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: CancellationReason[];
}

/** Maps an error of a commit's TransactWriteItems. */
export function commitError(error: unknown, roles: ActionRole[], tableName: string): Error {
  const sdk = error as SdkError;
  if (sdk?.name !== 'TransactionCanceledException') return storeError(error, tableName);
  const reasons = sdk.CancellationReasons ?? [];
  const failed = (kind: ActionRole['kind']): CancellationReason | undefined =>
    reasons.find((reason, index) => roles[index]?.kind === kind && reason.Code === 'ConditionalCheckFailed');

  // The same order as core's reference store: a stale version first, then a seen dedupe key.
  if (failed('head')) return new ConflictError(undefined, error);
  const duplicate = failed('dedupe');
  if (duplicate?.Item) {
    return new DuplicateError(parseDedupe(parseItemJson(fromAttributes(duplicate.Item).data)));
  }
  if (duplicate) {
    return new ConflictError('the dedupe key was seen but DynamoDB did not return its record', error);
  }
  const event = reasons.findIndex((reason, index) => {
    return roles[index]?.kind === 'event' && reason.Code === 'ConditionalCheckFailed';
  });
  if (event >= 0) {
    const role = roles[event] as { seq: number };
    return new ConflictError(
      `an item of event ${role.seq} already exists although the head allowed the commit (a session deleted halfway?); nothing was written`,
      error,
    );
  }
  const codes = reasons.map((reason) => reason.Code ?? 'None').filter((code) => code !== 'None');
  // Another transaction touched one of our items at the same moment: nothing was written and the
  // head may have moved, which is exactly a conflict (writers re-read and retry or rebase).
  if (codes.includes('TransactionConflict')) {
    return new ConflictError('a concurrent transaction touched the session; nothing was written', error);
  }
  if (codes.some((code) => THROTTLING.has(code))) {
    return new ThrottledError(`DynamoDB cancelled the commit: ${codes.join(', ')}`, error);
  }
  if (codes.includes('ItemCollectionSizeLimitExceeded')) return collectionFull(tableName, error);
  if (codes.includes('ValidationError')) {
    if (reasons.some((reason) => ITEM_TOO_LARGE.test(reason.Message ?? ''))) {
      return new StoreItemTooLargeError(`DynamoDB rejected the commit: ${reasonText(reasons)}`, error);
    }
    return new BatonError('store_rejected', `DynamoDB rejected the commit: ${reasonText(reasons)}`, {
      cause: error,
    });
  }
  return new StoreUnavailableError(`DynamoDB cancelled the commit: ${reasonText(reasons)}`, error);
}

/** Maps any other error of a DynamoDB call. */
export function storeError(error: unknown, tableName: string): Error {
  if ((error as SdkError)?.name === 'TransactionConflictException') {
    return new ConflictError('a concurrent transaction touched the session; nothing was written', error);
  }
  if (error instanceof BatonError) return error;
  const sdk = (error ?? {}) as SdkError;
  const name = sdk.name ?? 'Error';
  if (THROTTLING.has(name)) return new ThrottledError(`DynamoDB throttled the request: ${name}`, error);
  if (name === 'ItemCollectionSizeLimitExceededException') return collectionFull(tableName, error);
  if (name === 'ValidationException' && ITEM_TOO_LARGE.test(sdk.message ?? '')) {
    return new StoreItemTooLargeError(`DynamoDB rejected an item: ${sdk.message}`, error);
  }
  if (FORBIDDEN.has(name)) {
    return new BatonError(
      'store_forbidden',
      `DynamoDB refused access to table ${tableName} (${name}); give the function's role access to it`,
      { cause: error },
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new BatonError(
      'store_misconfigured',
      `DynamoDB table ${tableName} was not found; create it (see createTable) or fix the table name`,
      { cause: error },
    );
  }
  const status = sdk.$metadata?.httpStatusCode;
  // No HTTP status at all: the request never got an answer (refused, reset, timed out).
  if (status === undefined || status >= 500 || sdk.$fault === 'server') {
    return new StoreUnavailableError(`DynamoDB is unavailable: ${name}: ${sdk.message ?? ''}`, error);
  }
  return new BatonError('store_rejected', `DynamoDB rejected the request: ${name}: ${sdk.message ?? ''}`, {
    cause: error,
  });
}

/** A session's items reached the 10 GB an item collection may hold (tables with a local secondary index). */
function collectionFull(tableName: string, cause: unknown): StoreFullError {
  return new StoreFullError(
    `DynamoDB table ${tableName}: the session's item collection is at its 10 GB limit; nothing was written`,
    cause,
  );
}

function reasonText(reasons: CancellationReason[]): string {
  return reasons
    .map((reason) => `${reason.Code ?? 'None'}${reason.Message ? ` (${reason.Message})` : ''}`)
    .join(', ');
}
