import type { Clock } from './clock.js';
import { BatonError, ConflictError, FencedError, LeaseHeldError, SessionNotFoundError } from './errors.js';
import { type Head, sameIncarnation } from './head.js';
import { commitHead, retryConflicts } from './head-commit.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';

/*
 * Leases make the loop single-threaded per session. They live on the head and are taken, renewed
 * and released through the same conditional commit as everything else, so taking a lease changes
 * the head's version and fences any stale holder. `acquireLease` takes one; the holder's
 * SessionWriter renews it with every commit, with a heartbeat while a model call or tool runs
 * (`keepAlive`), and hands it back (`release`). A lease is short (15 s by default) whatever the
 * model call or tool takes, so a holder that dies is replaced within seconds.
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

/**
 * Ends a lease whose holder is known to be dead (the previous process of a restarted local server),
 * so the next delivery takes the session over at once instead of when the lease expires. A commit
 * like any other: it bumps the version, so a holder that was alive after all is fenced at its next
 * write. The session stays `running`. Null when the head moved on meanwhile (nothing written).
 */
export async function breakLease(
  store: SessionStore,
  ref: SessionRef,
  options: { clock: Clock; head: Head },
): Promise<Head | null> {
  if (!options.head.lease) return null;
  try {
    const committed = await commitHead({ store, clock: options.clock }, ref, options.head, {
      update: (next) => ({ ...next, lease: null }),
    });
    return committed.head;
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
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

/** What `keepAlive` renews: a lease, a queue message's visibility... */
export interface Heartbeat {
  clock: Clock;
  /** When the next beat is due (epoch ms), asked again after every beat. */
  dueAt: () => number;
  /** One renewal. */
  beat: () => Promise<void>;
  /** Whether a beat's error means what is held is gone for good (default: FencedError, SessionNotFoundError). */
  isLost?: (error: unknown) => boolean;
  /** Wait after a beat that failed for another reason (a store hiccup) before trying again. */
  retryMs: number;
  /** Told of each beat that failed without losing what is held. */
  onError?: (error: unknown) => void;
}

/**
 * Runs `work` while renewing something held (a lease, a queue message) whenever `dueAt` says so,
 * and stops renewing the moment `work` settles. A beat that finds the hold lost (another writer
 * took the lease) stops the beats and aborts the signal `work` gets, with the error as reason, so
 * the work can stop at once; nothing is renewed after that. Waits go through the clock's `sleep`
 * when it has one (a test's manual clock), else through an unref'd timer cleared at the end.
 *
 * @example
 * const text = await keepAlive(heartbeat, (lost) => model.generate({ ...request, signal: lost }));
 */
export async function keepAlive<T>(
  heartbeat: Heartbeat,
  work: (lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const lost = new AbortController();
  const done = new AbortController();
  const isLost = heartbeat.isLost ?? lostLease;
  const beats = (async () => {
    let failed = false;
    while (!done.signal.aborted) {
      const wait = Math.max(failed ? heartbeat.retryMs : 0, heartbeat.dueAt() - heartbeat.clock.now());
      await pause(heartbeat.clock, wait, done.signal);
      if (done.signal.aborted) return;
      try {
        await heartbeat.beat();
        failed = false;
      } catch (error) {
        if (isLost(error)) {
          lost.abort(error);
          return;
        }
        failed = true;
        heartbeat.onError?.(error);
      }
    }
  })();
  try {
    return await work(lost.signal);
  } finally {
    done.abort();
    await beats;
  }
}

function lostLease(error: unknown): boolean {
  return error instanceof FencedError || error instanceof SessionNotFoundError;
}

/** Waits `ms` on the clock (as `keepAlive` does), or less when `stop` aborts first. */
export function pause(clock: Clock, ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', finish);
      resolve();
    };
    let timer: NodeJS.Timeout | undefined;
    stop.addEventListener('abort', finish, { once: true });
    if (clock.sleep) clock.sleep(ms).then(finish, finish);
    else {
      timer = setTimeout(finish, ms);
      timer.unref();
    }
  });
}
