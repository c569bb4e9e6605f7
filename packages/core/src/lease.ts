import type { Clock } from './clock.js';
import { BatonError, ConflictError, FencedError, LeaseHeldError, SessionNotFoundError } from './errors.js';
import type { Head, SessionStatus } from './head.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';

/**
 * Leases make the loop single-threaded per session. They live on the head and are taken, renewed
 * and released with the same conditional commit as everything else, so taking a lease changes the
 * head's version and fences any stale holder.
 */

export interface LeaseOptions {
  owner: string;
  clock: Clock;
  leaseMs: number;
}

const MAX_ATTEMPTS = 10;

/** Takes the lease if it is free, expired or already ours. Throws LeaseHeldError otherwise. */
export async function acquireLease(
  store: SessionStore,
  ref: SessionRef,
  options: LeaseOptions,
): Promise<Head> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await store.readHead(ref);
    if (!head) throw new SessionNotFoundError(refKey(ref));
    const now = options.clock.now();
    if (head.lease && head.lease.owner !== options.owner && head.lease.expiresAt > now) {
      throw new LeaseHeldError(head.lease.owner, head.lease.expiresAt);
    }
    const epoch = head.leaseEpoch + 1;
    const next: Head = {
      ...head,
      version: head.version + 1,
      lease: { owner: options.owner, expiresAt: now + options.leaseMs, epoch },
      leaseEpoch: epoch,
      updatedAt: now,
    };
    try {
      await store.commit({ ref, expectedVersion: head.version, head: next, events: [] });
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`could not take the lease of ${refKey(ref)}: the head kept changing`);
}

/**
 * Extends a held lease. `held` is the head as this holder last wrote or read it; if someone appended
 * since (an input), the renewal rebases onto the new head as long as the lease epoch is still ours.
 */
export async function renewLease(store: SessionStore, held: Head, options: LeaseOptions): Promise<Head> {
  const ref = { tenant: held.tenant, sessionId: held.sessionId };
  let base = held;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const epoch = assertHolder(base, held, options.owner);
    const now = options.clock.now();
    const next: Head = {
      ...base,
      version: base.version + 1,
      lease: { owner: options.owner, expiresAt: now + options.leaseMs, epoch },
      updatedAt: now,
    };
    try {
      await store.commit({ ref, expectedVersion: base.version, head: next, events: [] });
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const fresh = await store.readHead(ref);
      if (!fresh) throw new SessionNotFoundError(refKey(ref));
      base = fresh;
    }
  }
  throw new ConflictError(`could not renew the lease of ${refKey(ref)}: the head kept changing`);
}

/** Input arrived that the holder has not read; it must drain it before releasing. */
export class UnreadInputError extends BatonError {
  constructor(lastInputSeq: number, processedSeq: number) {
    super(
      'unread_input',
      `input up to seq ${lastInputSeq} is unread (read up to ${processedSeq}); drain before release`,
      {
        retryable: true,
        status: 409,
      },
    );
  }
}

/**
 * Releases the lease, setting the session's status. Refused (UnreadInputError) when the head shows
 * input the holder has not read, and (ConflictError) when anything was appended since `held` was
 * read: the holder then reloads and drains, so no input is ever stranded.
 */
export async function releaseLease(
  store: SessionStore,
  held: Head,
  options: LeaseOptions & { status: SessionStatus; patch?: Partial<Head> },
): Promise<Head> {
  assertHolder(held, held, options.owner);
  if (held.lastInputSeq > held.processedSeq) throw new UnreadInputError(held.lastInputSeq, held.processedSeq);
  const now = options.clock.now();
  const next: Head = {
    ...held,
    ...options.patch,
    version: held.version + 1,
    status: options.status,
    lease: null,
    updatedAt: now,
  };
  await store.commit({
    ref: { tenant: held.tenant, sessionId: held.sessionId },
    expectedVersion: held.version,
    head: next,
    events: [],
  });
  return next;
}

function assertHolder(current: Head, held: Head, owner: string): number {
  const epoch = held.lease?.epoch;
  if (
    !current.lease ||
    current.lease.owner !== owner ||
    current.lease.epoch !== epoch ||
    epoch === undefined
  ) {
    throw new FencedError();
  }
  return epoch;
}
