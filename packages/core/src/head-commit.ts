import { AGAIN, CONFLICT_RETRY, type RetryPolicy, withBackoff } from './backoff.js';
import type { Clock } from './clock.js';
import { noteChildResult } from './delegation/parent-link.js';
import { ConflictError } from './errors.js';
import { type EventBody, SCHEMA_VERSION, type SessionEvent } from './events.js';
import { type Head, incarnationOf } from './head.js';
import type { Json } from './json.js';
import type { SessionRef } from './session-ref.js';
import type { CommitRequest, SessionStore } from './store.js';
import type { WebhookTarget } from './webhooks/webhook-config.js';
import { webhookEntries } from './webhooks/webhook-outbox.js';

/*
 * The one commit path: every change of a session's head (appends, leases, steps, releases, outbox
 * marks) is built and written here. The bookkeeping every commit shares (numbering the events,
 * bumping the version, stamping the time, the schema version, the dedupe record) lives in one
 * place, so no caller builds a head by hand; what a commit means is the caller's `update`.
 */

/** What a commit changes on top of the head it read. */
export interface HeadChange {
  /** Appended after the base head's seq, numbered and stamped here. */
  events?: readonly EventBody[];
  /**
   * The rest of the change, applied to the next head after the shared bookkeeping (version, seq,
   * updatedAt). `now` is the commit's time, the same the events are stamped with.
   */
  update?: (next: Head, now: number) => Head;
  /** Recorded with the commit; a later commit with the same key fails with DuplicateError. */
  dedupe?: { dedupeKey: string; result: Json };
}

/** A commit ready to write: the store request and what it leaves behind. */
export interface PlannedCommit {
  request: CommitRequest;
  head: Head;
  events: SessionEvent[];
}

export interface CommitTarget {
  store: SessionStore;
  clock: Clock;
  /** The agent-level webhooks of a session (a Baton's agents'), whose outbox entries a commit adds. */
  webhooksOf?(head: Head): readonly WebhookTarget[];
}

/**
 * The next head and events of `change` on top of `base`, conditioned on `base`'s version (a base of
 * version 0 is a session that does not exist yet). Events a webhook wants (the agent's
 * `agentWebhooks` or the session's own) get their outbox entries in the same commit. Pure.
 */
export function planCommit(
  ref: SessionRef,
  base: Head,
  change: HeadChange,
  now: number,
  agentWebhooks: readonly WebhookTarget[] = [],
): PlannedCommit {
  const given = change.events ?? [];
  const targets = base.webhooks?.length ? [...agentWebhooks, ...base.webhooks] : agentWebhooks;
  const bodies =
    targets.length === 0 || given.length === 0
      ? given
      : [...given, ...webhookEntries(given, base.seq, incarnationOf(base), targets)];
  const events = bodies.map(
    (body, index) => ({ ...body, v: SCHEMA_VERSION, seq: base.seq + 1 + index, at: now }) as SessionEvent,
  );
  const bumped: Head = {
    ...base,
    v: SCHEMA_VERSION,
    version: base.version + 1,
    seq: base.seq + events.length,
    updatedAt: now,
  };
  // A child session's first run_finished records, in this same commit, the result its parent collects.
  const head = noteChildResult(change.update ? change.update(bumped, now) : bumped, events);
  const request: CommitRequest = {
    ref,
    expectedVersion: base.version === 0 ? null : base.version,
    head,
    events,
    ...(change.dedupe ? { dedupe: change.dedupe } : {}),
  };
  return { request, head, events };
}

/** Writes a planned commit. The store's ConflictError / DuplicateError reach the caller unchanged. */
export async function writeCommit(
  store: SessionStore,
  plan: PlannedCommit,
): Promise<{ head: Head; events: SessionEvent[] }> {
  await store.commit(plan.request);
  return { head: plan.head, events: plan.events };
}

/**
 * One conditional commit of `change` on top of `base`.
 *
 * @example
 * const { head } = await commitHead({ store, clock }, ref, base, { events: [{ kind: 'error', code: 'x', message: 'y', retryable: false }] });
 */
export function commitHead(
  target: CommitTarget,
  ref: SessionRef,
  base: Head,
  change: HeadChange,
): Promise<{ head: Head; events: SessionEvent[] }> {
  return writeCommit(
    target.store,
    planCommit(ref, base, change, target.clock.now(), target.webhooksOf?.(base)),
  );
}

/**
 * Runs `attempt` (which reads what it needs and commits once) again whenever its commit loses a
 * race (ConflictError), with bounded exponential backoff and jitter; `gaveUp` names the failure
 * when every attempt conflicted.
 */
export function retryConflicts<T>(
  clock: Clock,
  attempt: (retry: number) => Promise<T>,
  gaveUp: () => Error,
  policy: RetryPolicy = CONFLICT_RETRY,
): Promise<T> {
  return withBackoff(
    clock,
    policy,
    async (retry) => {
      try {
        return await attempt(retry);
      } catch (error) {
        if (error instanceof ConflictError) return AGAIN;
        throw error;
      }
    },
    gaveUp,
  );
}
