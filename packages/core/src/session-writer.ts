import { AGAIN, CONFLICT_RETRY, withBackoff } from './backoff.js';
import { watchCancel } from './cancel-watch.js';
import type { Clock } from './clock.js';
import { ConflictError, FencedError, RunCancelledError, SessionNotFoundError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import { type Head, sameIncarnation } from './head.js';
import { type PlannedCommit, planCommit, writeCommit } from './head-commit.js';
import { extendLease, type Heartbeat, holdsLease, keepAlive, pause, UnreadInputError } from './lease.js';
import { sameRecord } from './same-record.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';
import type { WebhookTarget } from './webhooks/webhook-config.js';

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
  /**
   * Committed even after a cancel this writer has not acted on: the cancel's own resolution, and
   * an at-most-once tool's result (a record of what happened, not new work). Other steps with
   * events are refused with RunCancelledError once a cancel is known.
   */
  afterCancel?: boolean;
}

/**
 * The lease holder's only way to write. Serializes commits (tool calls finish in parallel), renews
 * the lease with every commit, and when the head moved on because a non-holder appended input,
 * lands the step on the new head as long as the lease epoch is still ours. A changed epoch (or a
 * session deleted and created again, a new incarnation) means another writer took over:
 * FencedError, and this writer stops.
 */
export class SessionWriter {
  head: Head;
  /** The highest seq the loop has read (all events up to here are in its context). */
  readThrough: number;
  /** Set when a commit landed on a head with events the loop has not read; cleared by the loop. */
  behind = false;
  /** Renewals the heartbeat tried (each one a commit with no events). */
  heartbeats = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Ends the heartbeat `ensureLease` started. */
  private holding: AbortController | null = null;
  /** The agent's webhooks: each commit adds the outbox entries of the events they want (webhooks/). */
  webhooks: readonly WebhookTarget[] = [];
  /** The lease this writer holds: its epoch, in the session's incarnation it was taken in. */
  private readonly held: { epoch: number; incarnation?: string };
  /** The highest cancel seq this writer has seen (on a head, or told in-process by `noticeCancel`). */
  private knownCancel: number;
  /** Cancels up to this seq are acted on (resolved in the log, or there when the lease was taken). */
  private cancelFloor: number;
  /** Told once per new cancel this writer learns of (the run aborts its model call or tools). */
  onCancel: ((cancelSeq: number) => void) | undefined;

  constructor(
    private readonly store: SessionStore,
    readonly ref: SessionRef,
    held: Head,
    private readonly clock: Clock,
    private readonly leaseMs: number,
    /**
     * `traceparent`: the run's trace, put on the head by the first commit when the lease was taken
     * without it (with the input), so a continuation or an approval's resumption joins the trace.
     */
    private readonly options: {
      traceparent?: string;
      /** How often a model call or tools read the head to see a cancel (0: only the heartbeats). */
      cancelCheckMs?: number;
    } = {},
  ) {
    if (!held.lease) throw new FencedError('a writer needs a held lease');
    this.head = held;
    this.readThrough = held.seq;
    // A cancel already on the head when the lease was taken is the run's first step to act on
    // (next-step.ts decides it from the log), not a reason to refuse that step's commit.
    this.knownCancel = held.cancelSeq ?? 0;
    this.cancelFloor = this.knownCancel;
    this.held = {
      epoch: held.lease.epoch,
      ...(held.incarnation === undefined ? {} : { incarnation: held.incarnation }),
    };
  }

  /** Commits one step; resolves with the stored events. */
  commit(step: StepCommit): Promise<SessionEvent[]> {
    // The step `ensureLease` was held for has ended.
    this.holding?.abort();
    this.holding = null;
    return this.enqueue(step);
  }

  private enqueue(step: StepCommit): Promise<SessionEvent[]> {
    const run = this.queue.then(() => this.commitNow(step));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Keeps the lease live for the next `neededMs` of work not wrapped in `keepAlive`: renews it now
   * when a third of it is used, then a heartbeat renews it until this writer's next commit or until
   * `neededMs` pass, whichever comes first. The lease itself stays short.
   */
  async ensureLease(neededMs: number): Promise<void> {
    this.holding?.abort();
    // A writer that released (or lost) its lease holds nothing to keep: it must not go on.
    if (!this.head.lease) throw new FencedError('this writer no longer holds the lease; it stopped');
    const remaining = (this.head.lease?.expiresAt ?? 0) - this.clock.now();
    if (remaining < Math.min(neededMs, (this.leaseMs * 2) / 3)) await this.renew();
    if (neededMs <= (this.head.lease?.expiresAt ?? 0) - this.clock.now()) return;
    const held = new AbortController();
    this.holding = held;
    void keepAlive(this.heartbeat(), (lost) =>
      pause(this.clock, neededMs, AbortSignal.any([held.signal, lost])),
    ).catch(() => undefined);
  }

  /**
   * Runs `work` (a model call, tools) while a heartbeat renews the lease each time a third of it
   * has been used: a commit with no events, fenced like every commit, so the lease can be short
   * whatever the work takes. A step shorter than that costs no extra write. When a renewal finds
   * the lease taken (or the session deleted), the beats stop and the signal `work` gets aborts
   * with that error; the run's next commit is fenced as well.
   */
  keepAlive<T>(work: (lost: AbortSignal) => Promise<T>): Promise<T> {
    return keepAlive(this.heartbeat(), (lost) =>
      watchCancel(
        {
          clock: this.clock,
          everyMs: this.options.cancelCheckMs ?? 0,
          read: () => this.store.readHead(this.ref),
          seen: (head) => this.see(head?.cancelSeq),
          done: () => this.cancelPending,
        },
        () => work(lost),
      ),
    );
  }

  /** Whether a cancel arrived that the run has not acted on yet. */
  get cancelPending(): boolean {
    return this.knownCancel > this.cancelFloor;
  }

  /** The cancel the run is to act on (0 for none). */
  get pendingCancelSeq(): number {
    return this.cancelPending ? this.knownCancel : 0;
  }

  /** Told in-process (Baton.cancel in the same process) that a cancel was appended at `cancelSeq`. */
  noticeCancel(cancelSeq: number): void {
    this.see(cancelSeq);
  }

  /** The run recorded the end of the run `cancelSeq` cancelled: later steps commit as usual. */
  cancelHandled(cancelSeq: number): void {
    this.cancelFloor = Math.max(this.cancelFloor, cancelSeq);
  }

  private see(cancelSeq: number | undefined): void {
    if (cancelSeq === undefined || cancelSeq <= this.knownCancel) return;
    this.knownCancel = cancelSeq;
    if (cancelSeq > this.cancelFloor) this.onCancel?.(cancelSeq);
  }

  /** Renews the lease for `leaseMs` from now: one commit with no events. */
  async renew(): Promise<void> {
    if (!this.head.lease) return;
    this.heartbeats++;
    await this.enqueue({ events: [] });
  }

  private heartbeat(): Heartbeat {
    return {
      clock: this.clock,
      // Nothing held (released meanwhile): nothing to renew, look again a lease later.
      dueAt: () =>
        this.head.lease
          ? this.head.lease.expiresAt - (this.leaseMs * 2) / 3
          : this.clock.now() + this.leaseMs,
      beat: () => this.renew(),
      retryMs: Math.max(1, Math.floor(this.leaseMs / 10)),
    };
  }

  /**
   * Hands the lease back, setting `status`, with `events` in the same commit. Refused with
   * UnreadInputError, writing nothing, when events arrived that this holder has not read (it
   * drains them first, so no input is stranded); the conditional commit catches the ones that
   * arrive while it releases.
   */
  async release(
    status: Head['status'],
    events: EventBody[] = [],
    before: (head: Head) => Head = (head) => head,
    afterCancel = false,
  ): Promise<SessionEvent[]> {
    if (this.behind) throw new UnreadInputError(this.head.seq, this.readThrough);
    return this.commit({
      events,
      rebase: false,
      ...(afterCancel ? { afterCancel } : {}),
      update: (next) => {
        const waits = status === 'waiting_approval' || status === 'waiting_child';
        const released: Head = { ...before(next), status, lease: null, runSteps: waits ? next.runSteps : 0 };
        // A run that waits keeps its trace for the invocation that resumes it; a finished run ends it.
        if (!waits) delete released.traceparent;
        return released;
      },
    });
  }

  /**
   * Reads the head to learn of input appended since this writer's last commit (the loop then
   * reads it, as after a rebase): for a step that wrote nothing, such as tools whose results wait
   * for the next commit. Fenced when the lease is no longer this writer's.
   */
  async refresh(): Promise<void> {
    const fresh = await this.store.readHead(this.ref);
    if (!fresh) throw new SessionNotFoundError(refKey(this.ref));
    if (!sameIncarnation(fresh, this.held))
      throw new FencedError('the session was deleted and created again');
    if (!holdsLease(fresh, this.held)) throw new FencedError();
    this.see(fresh.cancelSeq);
    if (fresh.version <= this.head.version) return;
    this.head = fresh;
    this.behind = fresh.seq > this.readThrough;
  }

  /** Marks events the loop has now read (after it fetched what a rebase skipped). */
  caughtUp(throughSeq: number): void {
    this.readThrough = Math.max(this.readThrough, throughSeq);
    this.behind = this.head.seq > this.readThrough;
  }

  private commitNow(step: StepCommit): Promise<SessionEvent[]> {
    return withBackoff(
      this.clock,
      CONFLICT_RETRY,
      async () => {
        // Checked on every attempt: a conflict's reread may be what brought the cancel.
        if (step.events.length > 0 && !step.afterCancel && this.cancelPending) {
          throw new RunCancelledError(this.knownCancel);
        }
        const base = this.head;
        const caughtUp = base.seq === this.readThrough;
        const plan = planCommit(
          this.ref,
          base,
          {
            events: step.events,
            update: (next, now) => {
              const traceparent = next.traceparent ?? this.options.traceparent;
              const held = extendLease(
                {
                  ...next,
                  processedSeq: Math.max(base.processedSeq, this.readThrough),
                  ...(traceparent ? { traceparent } : {}),
                },
                now + Math.max(this.leaseMs, step.holdMs ?? 0),
              );
              return step.update ? step.update(held) : held;
            },
          },
          this.clock.now(),
          this.webhooks,
        );
        try {
          await writeCommit(this.store, plan);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          return this.afterConflict(step, plan, base, caughtUp, error);
        }
        this.head = plan.head;
        if (caughtUp) this.readThrough = plan.head.seq;
        else this.behind = true;
        return plan.events;
      },
      () =>
        new ConflictError(
          `session ${refKey(this.ref)} kept changing; gave up after ${CONFLICT_RETRY.attempts} attempts`,
        ),
    );
  }

  /** Why a commit conflicted: its own write landed, a takeover, or someone appended (rebase). */
  private async afterConflict(
    step: StepCommit,
    plan: PlannedCommit,
    base: Head,
    caughtUp: boolean,
    conflict: ConflictError,
  ): Promise<SessionEvent[] | typeof AGAIN> {
    const fresh = await this.store.readHead(this.ref);
    if (!fresh) throw new SessionNotFoundError(refKey(this.ref));
    // Deleted and created again: nothing of this run belongs in the new session, which has its own
    // writers. Checked before `landed`, whose events of the same seq could belong to the new life.
    if (!sameIncarnation(fresh, this.held))
      throw new FencedError('the session was deleted and created again');
    this.see(fresh.cancelSeq);
    // First: did this very write land (its answer lost)? Then it counts, whatever happened since,
    // even if it was the release that handed the lease back.
    if (await this.landed(base, plan.events, fresh)) {
      // The write reached the store but its answer was lost (a client retry then met its own
      // write): the step is committed, and committing it again would duplicate it.
      this.head = fresh;
      if (caughtUp) this.readThrough = plan.head.seq;
      this.behind = fresh.seq > this.readThrough;
      return plan.events;
    }
    if (!holdsLease(fresh, this.held)) throw new FencedError();
    this.head = fresh;
    this.behind = fresh.seq > this.readThrough;
    if (step.rebase !== false) return AGAIN;
    if (this.behind) throw new UnreadInputError(fresh.seq, this.readThrough);
    throw conflict;
  }

  /** Whether these exact events (same seq, time and content) are already in the log. */
  private async landed(base: Head, events: SessionEvent[], fresh: Head): Promise<boolean> {
    if (events.length === 0 || fresh.seq < base.seq + events.length) return false;
    const stored = await this.store.readEvents(this.ref, { afterSeq: base.seq, limit: events.length });
    return (
      stored.length === events.length && stored.every((event, index) => sameRecord(event, events[index]))
    );
  }
}
