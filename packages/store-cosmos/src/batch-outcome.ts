import { ConflictError, StoreUnavailableError } from '@baton/core';
import type { OperationRole } from './commit-plan.js';
import { errorForStatus } from './cosmos-errors.js';

/** What one transactional batch answered, reduced to what the store acts on. */
export type BatchOutcome =
  | { ok: true; headEtag: string | undefined }
  | {
      ok: false;
      /** Index and status of the operation that made the batch fail (not a 424 bystander). */
      failedIndex: number;
      status: number;
      /**
       * Operations before `failedIndex` that the server applied anyway: real Cosmos answers 207 and
       * rolls everything back; a non-atomic server (the local emulator) answers 200 and keeps them.
       */
      applied: number[];
    };

export interface OperationResult {
  statusCode: number;
  eTag?: string;
}

function succeeded(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Reads every operation's status: a failed batch does not throw, and a 200 does not mean that every
 * operation succeeded on a server that is not atomic.
 */
export function readBatchOutcome(
  responseStatus: number,
  results: readonly OperationResult[],
  expected: number,
): BatchOutcome {
  if (results.length !== expected) {
    return { ok: false, failedIndex: -1, status: responseStatus, applied: [] };
  }
  const failedIndex = results.findIndex(
    (result) => !succeeded(result.statusCode) && result.statusCode !== 424,
  );
  if (failedIndex === -1) {
    // Every operation 424 with none to blame cannot be acted on; treat as a failure of unknown cause.
    if (results.some((result) => !succeeded(result.statusCode))) {
      return { ok: false, failedIndex: -1, status: responseStatus, applied: [] };
    }
    return { ok: true, headEtag: results[0]?.eTag };
  }
  const atomic = responseStatus === 207;
  const applied = atomic
    ? []
    : results.flatMap((result, index) =>
        index < failedIndex && succeeded(result.statusCode) ? [index] : [],
      );
  return { ok: false, failedIndex, status: results[failedIndex]!.statusCode, applied };
}

/**
 * The core error for a failed operation, except a dedupe conflict (the caller reads the original
 * record to build a DuplicateError).
 */
export function errorForFailedOperation(role: OperationRole | undefined, status: number): Error {
  if (role === 'head' && (status === 412 || status === 409 || status === 404)) {
    return new ConflictError();
  }
  if (role === 'events' && status === 409) {
    // The head matched yet events at these seqs exist: leftovers of a session deleted halfway.
    return new ConflictError('event documents at these sequence numbers already exist; nothing was written');
  }
  if (role === undefined) {
    return new StoreUnavailableError(
      `Cosmos DB answered a batch with status ${status} and no usable results`,
    );
  }
  return errorForStatus(status, `the ${role} operation of a commit`);
}
