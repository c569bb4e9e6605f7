import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  BatonError,
  ConflictError,
  DuplicateError,
  SCHEMA_VERSION,
  StoreFullError,
  StoreItemTooLargeError,
  StoreUnavailableError,
  ThrottledError,
} from '@baton/core';
import { describe, expect, it } from 'vitest';
import { type ActionRole, commitError, storeError } from './error-mapping.js';

const ROLES: ActionRole[] = [{ kind: 'head' }, { kind: 'event', seq: 4 }, { kind: 'dedupe' }];

function cancelled(...reasons: { Code: string; Item?: Record<string, AttributeValue> }[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: reasons,
  });
}

const DEDUPE_ITEM: Record<string, AttributeValue> = marshall({
  pk: 'acme#s',
  sk: 'D#x',
  data: JSON.stringify({ v: 2, dedupeKey: 'Ev1', result: { seq: 3 }, at: 7 }),
});

describe('commitError', () => {
  it('maps a failed head condition to ConflictError, ahead of a failed dedupe condition', () => {
    const error = commitError(
      cancelled(
        { Code: 'ConditionalCheckFailed' },
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Item: DEDUPE_ITEM },
      ),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('maps a failed dedupe condition to DuplicateError with the returned record', () => {
    const error = commitError(
      cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: DEDUPE_ITEM }),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(DuplicateError);
    // Read back at the current schema version, like every stored record.
    expect((error as DuplicateError).original).toEqual({
      v: SCHEMA_VERSION,
      dedupeKey: 'Ev1',
      result: { seq: 3 },
      at: 7,
    });
  });

  it('maps a failed dedupe condition without a returned record to a retryable ConflictError', () => {
    const error = commitError(
      cancelled({ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(ConflictError);
  });

  it('maps a failed event condition to ConflictError naming the event', () => {
    const error = commitError(
      cancelled({ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain('event 4');
  });

  it('maps TransactionConflict to ConflictError, so writers re-read and retry', () => {
    const error = commitError(
      cancelled({ Code: 'None' }, { Code: 'TransactionConflict' }, { Code: 'None' }),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).retryable).toBe(true);
  });

  it.each(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded'])(
    'maps %s to a retryable ThrottledError',
    (code) => {
      const error = commitError(
        cancelled({ Code: 'None' }, { Code: code }, { Code: 'None' }),
        ROLES,
        'baton',
      );
      expect(error).toBeInstanceOf(ThrottledError);
      expect((error as ThrottledError).retryable).toBe(true);
    },
  );

  it('maps a ValidationError reason to an error a retry cannot fix', () => {
    const error = commitError(
      cancelled({ Code: 'ValidationError' }, { Code: 'None' }, { Code: 'None' }),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).retryable).toBe(false);
  });

  it('maps an unknown reason to a retryable StoreUnavailableError', () => {
    const error = commitError(cancelled({ Code: 'Mystery' }), ROLES, 'baton');
    expect(error).toBeInstanceOf(StoreUnavailableError);
  });

  // Issue 15, defect 8: a full item collection was a retryable StoreUnavailableError, retried in vain.
  it('maps a full item collection to StoreFullError (507), which no retry can fix', () => {
    const error = commitError(
      cancelled({ Code: 'ItemCollectionSizeLimitExceeded' }, { Code: 'None' }, { Code: 'None' }),
      ROLES,
      'baton',
    );
    expect(error).toBeInstanceOf(StoreFullError);
    expect(error).toMatchObject({ code: 'store_full', status: 507, retryable: false });
  });

  it('maps an item over 400 KB to StoreItemTooLargeError (413)', () => {
    const reason = { Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' };
    const error = commitError(cancelled(reason, { Code: 'None' }, { Code: 'None' }), ROLES, 'baton');
    expect(error).toBeInstanceOf(StoreItemTooLargeError);
    expect(error).toMatchObject({ code: 'store_item_too_large', status: 413, retryable: false });
  });

  it('maps errors other than a cancellation like any other call', () => {
    const error = commitError(Object.assign(new Error('socket hang up'), { name: 'Error' }), ROLES, 'baton');
    expect(error).toBeInstanceOf(StoreUnavailableError);
  });
});

describe('storeError', () => {
  function sdkError(name: string, status: number, fault: 'client' | 'server' = 'client') {
    return Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });
  }

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    'maps %s to ThrottledError',
    (name) => {
      expect(storeError(sdkError(name, 400), 'baton')).toBeInstanceOf(ThrottledError);
    },
  );

  it('maps a 5xx answer to StoreUnavailableError', () => {
    expect(storeError(sdkError('InternalServerError', 500, 'server'), 'baton')).toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('maps an error without an HTTP answer to StoreUnavailableError', () => {
    expect(
      storeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'baton'),
    ).toBeInstanceOf(StoreUnavailableError);
  });

  it('maps a 4xx answer to an error a retry cannot fix', () => {
    const error = storeError(sdkError('ValidationException', 400), 'baton');
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).retryable).toBe(false);
  });

  it('maps ItemCollectionSizeLimitExceededException to StoreFullError (507), not retryable', () => {
    const error = storeError(sdkError('ItemCollectionSizeLimitExceededException', 400), 'baton');
    expect(error).toBeInstanceOf(StoreFullError);
    expect(error).toMatchObject({ code: 'store_full', status: 507, retryable: false });
  });

  it('maps a ValidationException on item size to StoreItemTooLargeError (413)', () => {
    const error = Object.assign(sdkError('ValidationException', 400), {
      message: 'Item size has exceeded the maximum allowed size',
    });
    expect(storeError(error, 'baton')).toBeInstanceOf(StoreItemTooLargeError);
    expect(storeError(error, 'baton')).toMatchObject({ status: 413, retryable: false });
  });

  it('maps refused credentials to store_forbidden, naming the table', () => {
    const error = storeError(sdkError('AccessDeniedException', 400), 'baton');
    expect(error).toMatchObject({ code: 'store_forbidden', retryable: false });
    expect((error as Error).message).toContain('baton');
  });

  it('passes Baton errors through unchanged', () => {
    const original = new ConflictError();
    expect(storeError(original, 'baton')).toBe(original);
  });
});
