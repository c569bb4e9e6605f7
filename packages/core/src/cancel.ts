import type { Identity } from './auth/identity.js';
import {
  BatonError,
  ConflictError,
  DuplicateError,
  SessionNotFoundError,
  ValidationError,
} from './errors.js';
import type { EventBody } from './events.js';
import type { SessionStatus } from './head.js';
import { type CommitTarget, commitHead, retryConflicts } from './head-commit.js';
import { assertSameRequest } from './idempotency.js';
import { refKey, type SessionRef } from './session-ref.js';

export interface CancelRequest {
  /** Who cancels, as authenticated by the host: must be of the session's tenant; recorded as `by`. */
  identity: Identity;
  reason?: string;
  /** Dedupes a retried request (`http:<Idempotency-Key>`), like a message's key. */
  dedupeKey?: string;
  /** Stored with the dedupe record; the same key with another request is refused. */
  requestHash?: string;
}

/**
 * `cancelled`: a cancel is recorded at `seq` (now, or by an earlier request: `duplicate`) and the
 * run it stops ends with `run_finished` (cancelled). Not cancelled: the session had no run to stop
 * (idle or failed), and nothing was written.
 */
export type CancelResult =
  | { cancelled: true; duplicate: boolean; seq: number }
  | { cancelled: false; status: SessionStatus };

/**
 * Records a cancel as a non-holder, like a decision: one commit conditional on the head version
 * (retried on conflict) that appends a `cancel` event and points the head's `cancelSeq` at it, and
 * counts as input (`lastInputSeq`), so a lease holder cannot release without reading it and a
 * session waiting for approval gets a run that ends it. A session that is not running or waiting
 * is left alone; a cancel not yet read by the run is not recorded twice.
 *
 * @example
 * const result = await appendCancel({ store, clock }, ref, { identity });
 * if (result.cancelled) console.log(`cancel recorded at ${result.seq}`);
 */
export function appendCancel(
  target: CommitTarget,
  ref: SessionRef,
  request: CancelRequest,
): Promise<CancelResult> {
  validate(request);
  // Before any read: a caller of another tenant learns nothing about this one's sessions.
  if (request.identity.tenant !== ref.tenant) {
    throw new BatonError('tenant_mismatch', 'the session belongs to another tenant than the caller', {
      status: 403,
    });
  }
  const { dedupeKey, requestHash } = request;
  return retryConflicts(
    target.clock,
    async (retry): Promise<CancelResult> => {
      if (dedupeKey && retry === 0) {
        const earlier = await target.store.getDedupe(ref, dedupeKey);
        if (earlier) {
          assertSameRequest(earlier.result, requestHash);
          return { cancelled: true, duplicate: true, seq: seqOf(earlier.result) };
        }
      }
      const head = await target.store.readHead(ref);
      if (!head) throw new SessionNotFoundError(refKey(ref));
      if (head.status === 'idle' || head.status === 'failed') {
        return { cancelled: false, status: head.status };
      }
      // A cancel the run has not read yet already stops everything before it.
      if (head.cancelSeq !== undefined && head.cancelSeq > head.processedSeq) {
        return { cancelled: true, duplicate: true, seq: head.cancelSeq };
      }
      const seq = head.seq + 1;
      const body: EventBody = {
        kind: 'cancel',
        by: request.identity.user,
        via: request.identity.via,
        ...(request.reason ? { reason: request.reason } : {}),
      };
      try {
        await commitHead(target, ref, head, {
          events: [body],
          update: (next) => ({ ...next, lastInputSeq: seq, cancelSeq: seq }),
          ...(dedupeKey
            ? { dedupe: { dedupeKey, result: { seq, ...(requestHash ? { requestHash } : {}) } } }
            : {}),
        });
        return { cancelled: true, duplicate: false, seq };
      } catch (error) {
        if (error instanceof DuplicateError) {
          assertSameRequest(error.original.result, requestHash);
          return { cancelled: true, duplicate: true, seq: seqOf(error.original.result) };
        }
        throw error;
      }
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy to record the cancel; try again`),
  );
}

function seqOf(result: unknown): number {
  return Number((result as { seq?: number } | null)?.seq ?? 0);
}

function validate(request: CancelRequest): void {
  const identity = request.identity as Partial<Identity> | undefined;
  if (typeof identity?.tenant !== 'string' || typeof identity.user !== 'string' || identity.user === '') {
    throw new ValidationError('a cancel needs the authenticated identity of who cancels', {
      field: 'identity',
    });
  }
  if (request.reason !== undefined && (typeof request.reason !== 'string' || request.reason.length > 2000)) {
    throw new ValidationError('reason must be a string of at most 2000 characters', { field: 'reason' });
  }
}
