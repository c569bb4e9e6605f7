import { StoreFullError, StoreItemTooLargeError, StoreUnavailableError, ThrottledError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { errorForStatus, mapCosmosError } from './cosmos-errors.js';

// Shapes as @azure/cosmos 4.9 throws them (ErrorResponse carries the HTTP status in `code`).
describe('mapCosmosError', () => {
  it('maps a 429 to a retryable ThrottledError', () => {
    expect(mapCosmosError(Object.assign(new Error('rate'), { code: 429 }), 'read')).toBeInstanceOf(
      ThrottledError,
    );
  });

  it('maps timeouts, 503 and dropped connections to StoreUnavailableError', () => {
    const timeout = Object.assign(new Error('Timeout Error'), { name: 'TimeoutError', code: 'TimeoutError' });
    for (const error of [
      timeout,
      Object.assign(new Error('down'), { code: 503 }),
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    ]) {
      expect(mapCosmosError(error, 'commit')).toBeInstanceOf(StoreUnavailableError);
    }
  });

  it('reads throttling from the message when the SDK dropped a failed batch request status', () => {
    const error = new Error(
      'Batch request error: Message: {"Errors":["Request rate is large. More Request Units may be needed"]}',
    );

    expect(mapCosmosError(error, 'commit')).toBeInstanceOf(ThrottledError);
    expect(mapCosmosError(new Error('Batch request error: socket hang up'), 'commit')).toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  // Issue 15, defect 8: quota and size failures were a generic store_rejected (413 a "payload of 0 bytes").
  it('maps a document over the size limit (413) to StoreItemTooLargeError', () => {
    const error = mapCosmosError(Object.assign(new Error('too large'), { code: 413 }), 'commit');
    expect(error).toBeInstanceOf(StoreItemTooLargeError);
    expect(error).toMatchObject({ code: 'store_item_too_large', status: 413, retryable: false });
    expect(errorForStatus(413, 'the events operation of a commit')).toBeInstanceOf(StoreItemTooLargeError);
  });

  it('maps 507 and a full partition (403, substatus 1014 or a quota message) to StoreFullError', () => {
    for (const error of [
      Object.assign(new Error('insufficient storage'), { code: 507 }),
      Object.assign(new Error('Partition key reached maximum size of 20 GB'), { code: 403, substatus: 1014 }),
      Object.assign(new Error('Message: {"Errors":["Storage quota for \'Document\' exceeded."]}'), {
        code: 403,
      }),
    ]) {
      const mapped = mapCosmosError(error, 'commit');
      expect(mapped).toBeInstanceOf(StoreFullError);
      expect(mapped).toMatchObject({ code: 'store_full', status: 507, retryable: false });
    }
  });

  it('maps a refused identity (401, other 403) to store_forbidden, not retryable', () => {
    for (const code of [401, 403]) {
      const error = mapCosmosError(Object.assign(new Error('forbidden'), { code }), 'load');
      expect(error).toMatchObject({ code: 'store_forbidden', retryable: false });
    }
  });

  it('passes errors that are not Cosmos errors through unchanged', () => {
    const bug = new TypeError('undefined is not a function');

    expect(mapCosmosError(bug, 'load')).toBe(bug);
  });
});
