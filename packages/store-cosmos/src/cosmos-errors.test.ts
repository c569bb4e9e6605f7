import { StoreUnavailableError, ThrottledError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { mapCosmosError } from './cosmos-errors.js';

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

  it('passes errors that are not Cosmos errors through unchanged', () => {
    const bug = new TypeError('undefined is not a function');

    expect(mapCosmosError(bug, 'load')).toBe(bug);
  });
});
