import { ConflictError } from './errors.js';
import type { EventOf } from './events.js';
import { type CommitTarget, commitHead, retryConflicts } from './head-commit.js';
import { redactSecrets } from './redact.js';
import { refKey, type SessionRef } from './session-ref.js';

export type ScheduledRetry = Omit<EventOf<'retry_scheduled'>, 'v' | 'seq' | 'at' | 'kind'>;

/**
 * Records on the session that its run failed and its message will be delivered again at
 * `retryAt`, so a slow run says why (`lastRetry` in the session view, the events API). One commit
 * per failed delivery, conditional on the head version and retried on conflict; the lease, status,
 * lastInputSeq and processedSeq stay as they are, so the record neither wakes a run nor counts as
 * input, and a lease holder rebases over it. Returns false when the session does not exist.
 */
export function recordRetry(target: CommitTarget, ref: SessionRef, retry: ScheduledRetry): Promise<boolean> {
  return retryConflicts(
    target.clock,
    async () => {
      const head = await target.store.readHead(ref);
      if (!head) return false;
      await commitHead(target, ref, head, {
        events: [
          {
            kind: 'retry_scheduled',
            attempt: retry.attempt,
            code: retry.code,
            message: redactSecrets(retry.message).slice(0, 2000),
            retryAt: retry.retryAt,
          },
        ],
      });
      return true;
    },
    () => new ConflictError(`session ${refKey(ref)} kept changing while recording a retry`),
  );
}
