import { ConflictError, DuplicateError, ValidationError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
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

/**
 * Asks an append to take the session's lease in the same commit, for a caller that runs the
 * session right after (the inline run of `Baton.converse`): one write instead of two. Taken only
 * when the lease is free or expired; `leaseMs` says how long for the session's agent, or undefined
 * (an agent this host does not know) to append without it.
 */
export interface LeaseWithInput {
  owner: string;
  leaseMs: (head: Head) => number | undefined;
}

/** An append's outcome; `held` when the lease was taken with it: the head and live context through the input. */
export interface Appended {
  seq: number;
  duplicate: boolean;
  held?: { head: Head; events: SessionEvent[] };
}

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
    /** Take the lease with the input when it is free (the run follows in this invocation). */
    lease?: LeaseWithInput | undefined;
  },
): Promise<Appended> {
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
      // A caller that runs the session next needs its live context: one load instead of two reads.
      const snapshot = options.lease
        ? await target.store.load(ref)
        : { head: await target.store.readHead(ref), events: [] };
      const head = snapshot?.head ?? newHead(ref.tenant, ref.sessionId, options.agent, target.clock.now());
      if (options.requireAgent && head.agent !== options.requireAgent) {
        throw new ValidationError(
          `session ${refKey(ref)} belongs to agent ${head.agent}, not ${options.requireAgent}`,
          { field: 'agent' },
        );
      }
      const seq = head.seq + 1;
      const leaseMs =
        options.lease && leaseFree(head, target.clock.now()) ? options.lease.leaseMs(head) : undefined;
      try {
        const committed = await commitHead(target, ref, head, {
          events: [body],
          update: (next, now) => {
            const appended: Head = {
              ...next,
              lastInputSeq: seq,
              status: head.status === 'waiting_approval' ? 'waiting_approval' : 'running',
            };
            if (leaseMs === undefined || !options.lease) return appended;
            // As acquireLease takes it: a new epoch fences any earlier holder, and the run is on.
            const epoch = next.leaseEpoch + 1;
            return {
              ...appended,
              lease: { owner: options.lease.owner, expiresAt: now + leaseMs, epoch },
              leaseEpoch: epoch,
              status: 'running',
            };
          },
          ...(dedupeKey
            ? {
                dedupe: {
                  dedupeKey,
                  result: { seq, ...options.dedupeResult, ...(requestHash ? { requestHash } : {}) },
                },
              }
            : {}),
        });
        if (leaseMs === undefined) return { seq, duplicate: false };
        const events = [...(snapshot?.events ?? []), ...committed.events];
        return { seq, duplicate: false, held: { head: committed.head, events } };
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

/** No live lease: none, or one that expired (its holder is gone). */
function leaseFree(head: Head, now: number): boolean {
  return head.lease === null || head.lease.expiresAt <= now;
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
