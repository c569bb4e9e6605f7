import { BatonError, ConflictError, StoreUnavailableError, ThrottledError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { errorForFailedOperation, readBatchOutcome } from './batch-outcome.js';

describe('readBatchOutcome', () => {
  it('succeeds with the head ETag when every operation succeeded', () => {
    const outcome = readBatchOutcome(
      200,
      [{ statusCode: 200, eTag: '"h2"' }, { statusCode: 201 }, { statusCode: 201 }],
      3,
    );

    expect(outcome).toEqual({ ok: true, headEtag: '"h2"' });
  });

  it('blames the failing operation and nothing applied when Cosmos answers 207', () => {
    const outcome = readBatchOutcome(207, [{ statusCode: 424 }, { statusCode: 424 }, { statusCode: 409 }], 3);

    expect(outcome).toEqual({ ok: false, failedIndex: 2, status: 409, applied: [] });
  });

  it('reports the operations a non-atomic server kept when it answers 200 with a failure', () => {
    const outcome = readBatchOutcome(200, [{ statusCode: 200 }, { statusCode: 201 }, { statusCode: 409 }], 3);

    expect(outcome).toEqual({ ok: false, failedIndex: 2, status: 409, applied: [0, 1] });
  });

  it('fails without blame when results are missing or all 424', () => {
    expect(readBatchOutcome(200, [{ statusCode: 200 }], 3)).toMatchObject({ ok: false, failedIndex: -1 });
    expect(readBatchOutcome(207, [{ statusCode: 424 }, { statusCode: 424 }], 2)).toMatchObject({
      ok: false,
      failedIndex: -1,
    });
  });
});

describe('errorForFailedOperation', () => {
  it('maps a failed head condition to ConflictError whether replaced, created or gone', () => {
    for (const status of [412, 409, 404])
      expect(errorForFailedOperation('head', status)).toBeInstanceOf(ConflictError);
  });

  it('maps throttling and transient statuses to retryable errors', () => {
    expect(errorForFailedOperation('events', 429)).toBeInstanceOf(ThrottledError);
    for (const status of [408, 449, 503]) {
      expect(errorForFailedOperation('dedupe', status)).toBeInstanceOf(StoreUnavailableError);
    }
    expect(errorForFailedOperation(undefined, 207)).toMatchObject({ retryable: true });
  });

  it('maps a bad request to a non-retryable error', () => {
    const error = errorForFailedOperation('events', 400);

    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'store_rejected', retryable: false });
  });
});
