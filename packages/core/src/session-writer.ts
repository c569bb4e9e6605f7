import type { Clock } from './clock.js';
import { ConflictError, FencedError, SessionNotFoundError } from './errors.js';
import { type EventBody, SCHEMA_VERSION, type SessionEvent } from './events.js';
import type { Head } from './head.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';

export interface StepCommit {
  events: EventBody[];
  /** Applied to the head the commit lands on (which may be newer than the one the step read). */
  update?: (head: Head) => Head;
  /**
   * Whether the commit may land on a head that moved on (someone appended input meanwhile). True for
   * steps (a model response or tool result stays valid after new input); false for releasing the
   * lease, which must not happen while input is unread.
   */
  rebase?: boolean;
  /** Keep the lease at least this long from now (a model call or tool that will take long follows). */
  holdMs?: number;
}

const MAX_REBASES = 20;

/**
 * The lease holder's only way to write. Serializes commits (tool calls finish in parallel), renews
 * the lease with every commit, and when the head moved on because a non-holder appended input,
 * lands the step on the new head as long as the lease epoch is still ours. A changed epoch means
 * another writer took over: FencedError, and this writer stops.
 */
export class SessionWriter {
  head: Head;
  /** The highest seq the loop has read (all events up to here are in its context). */
  readThrough: number;
  /** Set when a commit landed on a head with events the loop has not read; cleared by the loop. */
  behind = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly epoch: number;

  constructor(
    private readonly store: SessionStore,
    readonly ref: SessionRef,
    held: Head,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {
    if (!held.lease) throw new FencedError('a writer needs a held lease');
    this.head = held;
    this.readThrough = held.seq;
    this.epoch = held.lease.epoch;
  }

  /** Commits one step; resolves with the stored events. */
  commit(step: StepCommit): Promise<SessionEvent[]> {
    const run = this.queue.then(() => this.commitNow(step));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async commitNow(step: StepCommit): Promise<SessionEvent[]> {
    for (let attempt = 0; attempt <= MAX_REBASES; attempt++) {
      const base = this.head;
      const now = this.clock.now();
      const events = step.events.map(
        (body, index) => ({ ...body, v: SCHEMA_VERSION, seq: base.seq + 1 + index, at: now }) as SessionEvent,
      );
      const caughtUp = base.seq === this.readThrough;
      let next: Head = {
        ...base,
        version: base.version + 1,
        seq: base.seq + events.length,
        processedSeq: Math.max(base.processedSeq, this.readThrough),
        updatedAt: now,
        lease: base.lease
          ? { ...base.lease, expiresAt: now + Math.max(this.leaseMs, step.holdMs ?? 0) }
          : null,
      };
      if (step.update) next = step.update(next);
      try {
        await this.store.commit({ ref: this.ref, expectedVersion: base.version, head: next, events });
        this.head = next;
        if (caughtUp) this.readThrough = next.seq;
        else this.behind = true;
        return events;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const fresh = await this.store.readHead(this.ref);
        if (!fresh) throw new SessionNotFoundError(refKey(this.ref));
        // First: did this very write land (its answer lost)? Then it counts, whatever happened since,
        // even if it was the release that handed the lease back.
        if (await this.landed(base, events, fresh)) {
          // The write reached the store but its answer was lost (a client retry then met its own
          // write): the step is committed, and committing it again would duplicate it.
          this.head = fresh;
          if (caughtUp) this.readThrough = next.seq;
          this.behind = fresh.seq > this.readThrough;
          return events;
        }
        if (fresh.lease?.epoch !== this.epoch || fresh.leaseEpoch !== this.epoch) throw new FencedError();
        this.head = fresh;
        this.behind = fresh.seq > this.readThrough;
        if (step.rebase === false) throw error;
      }
    }
    throw new ConflictError(
      `session ${refKey(this.ref)} kept changing; gave up after ${MAX_REBASES} rebases`,
    );
  }

  /** Whether these exact events (same seq, time and content) are already in the log. */
  private async landed(base: Head, events: SessionEvent[], fresh: Head): Promise<boolean> {
    if (events.length === 0 || fresh.seq < base.seq + events.length) return false;
    const stored = await this.store.readEvents(this.ref, { afterSeq: base.seq, limit: events.length });
    return (
      stored.length === events.length && stored.every((event, index) => sameRecord(event, events[index]))
    );
  }

  /** Extends the lease without events, only when less than `neededMs` of it remains. */
  async ensureLease(neededMs: number): Promise<void> {
    const expiresAt = this.head.lease?.expiresAt ?? 0;
    if (expiresAt - this.clock.now() >= neededMs) return;
    await this.commit({ events: [], holdMs: neededMs });
  }

  /** Marks events the loop has now read (after it fetched what a rebase skipped). */
  caughtUp(throughSeq: number): void {
    this.readThrough = Math.max(this.readThrough, throughSeq);
    this.behind = this.head.seq > this.readThrough;
  }
}

function sameRecord(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with sorted keys, so records compare equal whatever order a store returns their fields in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : item,
  );
}
