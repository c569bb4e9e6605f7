import { ConflictError, DuplicateError, ValidationError } from './errors.js';
import type { EventBody } from './events.js';
import { type Head, newHead } from './head.js';
import { type CommitTarget, commitHead, retryConflicts } from './head-commit.js';
import { assertSameRequest } from './idempotency.js';
import type { JsonObject } from './json.js';
import { redactSecrets } from './redact.js';
import { refKey, type SessionRef } from './session-ref.js';

/**
 * Appends by writers that do not hold the lease (triggers, failure records). Each is one commit
 * conditional on the head version, retried on conflict; a lease holder lands its steps on top.
 */
export type AppendTarget = CommitTarget;

/** Appends one input-like event as a non-holder: conditional on the head version, retried on conflict. */
export function appendInput(
  target: AppendTarget,
  ref: SessionRef,
  body: EventBody,
  options: {
    agent: string;
    dedupeKey?: string;
    dedupeResult?: JsonObject;
    /** Stored with the dedupe record; a duplicate with another hash is refused (idempotency.ts). */
    requestHash?: string | undefined;
    requireAgent?: string | undefined;
  },
): Promise<{ seq: number; duplicate: boolean }> {
  const { dedupeKey, requestHash } = options;
  return retryConflicts(
    target.clock,
    async (retry) => {
      // On a retry the commit's own dedupe condition catches a duplicate (DuplicateError below),
      // so the attempt is two round trips, which narrows the window for the next conflict.
      if (dedupeKey && retry === 0) {
        const earlier = await target.store.getDedupe(ref, dedupeKey);
        if (earlier) {
          assertSameRequest(earlier.result, requestHash);
          return { seq: Number((earlier.result as { seq?: number }).seq ?? 0), duplicate: true };
        }
      }
      const head =
        (await target.store.readHead(ref)) ??
        newHead(ref.tenant, ref.sessionId, options.agent, target.clock.now());
      if (options.requireAgent && head.agent !== options.requireAgent) {
        throw new ValidationError(
          `session ${refKey(ref)} belongs to agent ${head.agent}, not ${options.requireAgent}`,
          { field: 'agent' },
        );
      }
      const seq = head.seq + 1;
      try {
        await commitHead(target, ref, head, {
          events: [body],
          update: (next) => ({
            ...next,
            lastInputSeq: seq,
            status: head.status === 'waiting_approval' ? 'waiting_approval' : 'running',
          }),
          ...(dedupeKey
            ? {
                dedupe: {
                  dedupeKey,
                  result: { seq, ...options.dedupeResult, ...(requestHash ? { requestHash } : {}) },
                },
              }
            : {}),
        });
        return { seq, duplicate: false };
      } catch (error) {
        if (error instanceof DuplicateError) {
          assertSameRequest(error.original.result, requestHash);
          return { seq: Number((error.original.result as { seq?: number }).seq ?? 0), duplicate: true };
        }
        throw error;
      }
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy; try again`),
  );
}

export type FailureRecord = 'recorded' | 'duplicate' | 'no_session';

/**
 * Records on the session why work stopped being retried (a poison message, an unknown agent, a
 * model error no retry fixes): an `error` event and, when no live lease is held, `run_finished`
 * (failed) with the status set to failed, so a client polling the session sees the reason instead
 * of a run that never ends. Deduplicated on `dedupeKey`; a live lease is left alone (its holder's
 * next commit lands on top).
 */
export function recordFailure(
  target: AppendTarget,
  ref: SessionRef,
  failure: { code: string; message: string; dedupeKey: string },
): Promise<FailureRecord> {
  return retryConflicts(
    target.clock,
    async (): Promise<FailureRecord> => {
      if (await target.store.getDedupe(ref, failure.dedupeKey)) return 'duplicate';
      const head = await target.store.readHead(ref);
      if (!head) return 'no_session';
      const leaseLive = head.lease !== null && head.lease.expiresAt > target.clock.now();
      const events: EventBody[] = [
        {
          kind: 'error',
          code: failure.code,
          message: redactSecrets(failure.message).slice(0, 2000),
          retryable: false,
        },
      ];
      if (!leaseLive) events.push({ kind: 'run_finished', reason: 'failed', text: '' });
      try {
        await commitHead(target, ref, head, {
          events,
          update: (next) => (leaseLive ? next : failed(next)),
          dedupe: { dedupeKey: failure.dedupeKey, result: { seq: head.seq + events.length } },
        });
        return 'recorded';
      } catch (error) {
        if (error instanceof DuplicateError) return 'duplicate';
        throw error;
      }
    },
    () => new ConflictError(`session ${refKey(ref)} kept changing while recording a failure`),
  );
}

function failed(head: Head): Head {
  const next: Head = { ...head, status: 'failed', lease: null, runSteps: 0 };
  delete next.traceparent;
  return next;
}
