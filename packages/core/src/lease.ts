import type { Clock } from './clock.js';
import { BatonError, ConflictError, LeaseHeldError, SessionNotFoundError } from './errors.js';
import { type Head, sameIncarnation } from './head.js';
import { commitHead, retryConflicts } from './head-commit.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';

/*
 * Leases make the loop single-threaded per session. They live on the head and are taken, renewed
 * and released through the same conditional commit as everything else, so taking a lease changes
 * the head's version and fences any stale holder. `acquireLease` takes one; the holder's
 * SessionWriter renews it with every commit (and `ensureLease`) and hands it back (`release`).
 * The store conformance suite certifies exactly these.
 */

export interface LeaseOptions {
  owner: string;
  clock: Clock;
  leaseMs: number;
}

export interface AcquireOptions extends LeaseOptions {
  /** The head as the caller just read it, to save a read; reread after a conflict. */
  head?: Head;
  /** The trace the run joins, kept on the head until the run finishes. */
  traceparent?: string;
}

/**
 * Takes the lease if it is free, expired or already ours, and marks the session running (if the
 * holder dies, the status says work is pending, so the next delivery or the sweeper picks it up).
 * Throws LeaseHeldError while another owner's lease is live.
 *
 * @example
 * const held = await acquireLease(store, ref, { owner: 'worker-1', clock: systemClock, leaseMs: 30_000 });
 */
export function acquireLease(store: SessionStore, ref: SessionRef, options: AcquireOptions): Promise<Head> {
  let known = options.head;
  return retryConflicts(
    options.clock,
    async () => {
      const head = known ?? (await store.readHead(ref));
      known = undefined;
      if (!head) throw new SessionNotFoundError(refKey(ref));
      const now = options.clock.now();
      if (head.lease && head.lease.owner !== options.owner && head.lease.expiresAt > now) {
        throw new LeaseHeldError(head.lease.owner, head.lease.expiresAt);
      }
      const epoch = head.leaseEpoch + 1;
      const committed = await commitHead({ store, clock: options.clock }, ref, head, {
        update: (next, at) => {
          const traceparent = next.traceparent ?? options.traceparent;
          return {
            ...next,
            lease: { owner: options.owner, expiresAt: at + options.leaseMs, epoch },
            leaseEpoch: epoch,
            status: 'running',
            ...(traceparent ? { traceparent } : {}),
          };
        },
      });
      return committed.head;
    },
    () => new ConflictError(`could not take the lease of ${refKey(ref)}: the head kept changing`),
  );
}

/** The head with the held lease extended to `expiresAt` (no lease: unchanged). */
export function extendLease(head: Head, expiresAt: number): Head {
  return head.lease ? { ...head, lease: { ...head.lease, expiresAt } } : head;
}

/**
 * Whether the lease taken as `held` is still the one on `head` (else its holder is fenced): the
 * same epoch in the same incarnation. A session deleted and created again starts its epochs anew,
 * so an equal epoch of another incarnation is someone else's lease.
 */
export function holdsLease(head: Head, held: Pick<Head, 'incarnation'> & { epoch: number }): boolean {
  return sameIncarnation(head, held) && head.lease?.epoch === held.epoch && head.leaseEpoch === held.epoch;
}

/** Events arrived that the holder has not read; it must drain them before releasing. */
export class UnreadInputError extends BatonError {
  constructor(lastSeq: number, readThrough: number) {
    super(
      'unread_input',
      `events up to seq ${lastSeq} are unread (read up to ${readThrough}); drain before release`,
      { retryable: true, status: 409 },
    );
  }
}
