import type { Clock } from './clock.js';
import { ConflictError, DuplicateError, SessionNotFoundError } from './errors.js';
import { type EventBody, SCHEMA_VERSION, type SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { JsonObject } from './json.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';

/*
 * The outbox (DESIGN invariant 9): a reply is recorded in the log before it is sent and marked sent
 * after, so a retried invocation re-sends only what is unmarked, with an id the receiver can dedupe
 * on. These appends are made by whoever delivers (not the lease holder), like inputs, but they do
 * not touch lastInputSeq or the status: an outbox entry is not work for the agent, so it neither
 * keeps the holder from releasing nor wakes a run.
 */

/** What the outbox functions need of a Baton. */
export interface OutboxTarget {
  store: SessionStore;
  clock: Clock;
}

export interface OutboxEntry {
  /** Unique within the session; the receiver (or our reconciliation) dedupes on it. */
  messageId: string;
  /** Which delivery channel sends it ('slack'). */
  channel: string;
  payload: JsonObject;
}

export interface RecordOutboxResult {
  /** Ids this call appended. */
  recorded: string[];
  /** Ids another invocation appended first: nothing was written for them. */
  alreadyRecorded: string[];
  /** Every event after `knownThroughSeq` this call read or wrote, in order. */
  events: SessionEvent[];
}

const MAX_ATTEMPTS = 50;

/**
 * Appends outbox entries in one commit, skipping ids already in the log. `knownThroughSeq` is the
 * seq the caller has read through (its plan already accounts for entries up to there), so only
 * newer events are read to find entries recorded concurrently.
 */
export async function recordOutbox(
  baton: OutboxTarget,
  ref: SessionRef,
  entries: readonly OutboxEntry[],
  options: { knownThroughSeq?: number } = {},
): Promise<RecordOutboxResult> {
  const seen = new Set<string>();
  const read: SessionEvent[] = [];
  let known = options.knownThroughSeq ?? 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await baton.store.readHead(ref);
    if (!head) throw new SessionNotFoundError(refKey(ref));
    if (head.seq > known) {
      for (const event of await baton.store.readEvents(ref, { afterSeq: known })) {
        if (event.seq > head.seq) break;
        read.push(event);
        if (event.kind === 'outbox') seen.add(event.messageId);
      }
      known = head.seq;
    }
    const fresh = entries.filter((entry) => !seen.has(entry.messageId));
    const alreadyRecorded = entries
      .filter((entry) => seen.has(entry.messageId))
      .map((entry) => entry.messageId);
    if (fresh.length === 0) return { recorded: [], alreadyRecorded, events: read };
    const bodies: EventBody[] = fresh.map((entry) => ({ kind: 'outbox', ...entry }));
    try {
      const written = await appendAsNonHolder(baton, ref, head, bodies);
      return {
        recorded: fresh.map((entry) => entry.messageId),
        alreadyRecorded,
        events: [...read, ...written],
      };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`session ${refKey(ref)} is too busy to record its outbox; try again`);
}

/**
 * Marks an outbox entry sent (or failed for good) with what the receiver answered. Deduplicated on
 * the message id, so two invocations that both sent it record one mark.
 */
export async function markOutboxSent(
  baton: OutboxTarget,
  ref: SessionRef,
  messageId: string,
  receipt: JsonObject,
): Promise<{ duplicate: boolean }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await baton.store.readHead(ref);
    if (!head) throw new SessionNotFoundError(refKey(ref));
    try {
      await appendAsNonHolder(baton, ref, head, [{ kind: 'outbox_sent', messageId, receipt }], {
        dedupeKey: `outbox_sent:${messageId}`,
        result: { messageId },
      });
      return { duplicate: false };
    } catch (error) {
      if (error instanceof DuplicateError) return { duplicate: true };
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`session ${refKey(ref)} is too busy to mark ${messageId} sent; try again`);
}

/**
 * One conditional commit on top of `head`. The lease, status, lastInputSeq and processedSeq stay
 * as they are: a lease holder rebases over these events like over input, and nothing here asks
 * the loop to run.
 */
async function appendAsNonHolder(
  baton: OutboxTarget,
  ref: SessionRef,
  head: Head,
  bodies: EventBody[],
  dedupe?: { dedupeKey: string; result: JsonObject },
): Promise<SessionEvent[]> {
  const now = baton.clock.now();
  const events = bodies.map(
    (body, index) => ({ ...body, v: SCHEMA_VERSION, seq: head.seq + 1 + index, at: now }) as SessionEvent,
  );
  const next: Head = {
    ...head,
    v: SCHEMA_VERSION,
    version: head.version + 1,
    seq: head.seq + events.length,
    updatedAt: now,
  };
  await baton.store.commit({
    ref,
    expectedVersion: head.version,
    head: next,
    events,
    ...(dedupe ? { dedupe } : {}),
  });
  return events;
}
