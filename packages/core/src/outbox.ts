import { ConflictError, DuplicateError, SessionNotFoundError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import { type CommitTarget, commitHead, retryConflicts } from './head-commit.js';
import type { JsonObject } from './json.js';
import { refKey, type SessionRef } from './session-ref.js';

/*
 * The outbox (invariant 9 of docs/design.md): a reply is recorded in the log before it is sent and marked sent
 * after, so a retried invocation re-sends only what is unmarked, with an id the receiver can dedupe
 * on. These appends are made by whoever delivers (not the lease holder), like inputs, but they do
 * not touch lastInputSeq or the status: an outbox entry is not work for the agent, so it neither
 * keeps the holder from releasing nor wakes a run.
 */

/** What the outbox functions need of a Baton. */
export type OutboxTarget = CommitTarget;

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
  return retryConflicts(
    baton.clock,
    async () => {
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
      // The lease, status, lastInputSeq and processedSeq stay as they are: a lease holder rebases
      // over these events like over input, and nothing here asks the loop to run.
      const written = await commitHead(baton, ref, head, {
        events: fresh.map((entry): EventBody => ({ kind: 'outbox', ...entry })),
      });
      return {
        recorded: fresh.map((entry) => entry.messageId),
        alreadyRecorded,
        events: [...read, ...written.events],
      };
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy to record its outbox; try again`),
  );
}

/**
 * Marks an outbox entry sent (or failed for good) with what the receiver answered. Deduplicated on
 * the message id, so two invocations that both sent it record one mark.
 */
export function markOutboxSent(
  baton: OutboxTarget,
  ref: SessionRef,
  messageId: string,
  receipt: JsonObject,
): Promise<{ duplicate: boolean }> {
  return retryConflicts(
    baton.clock,
    async () => {
      const head = await baton.store.readHead(ref);
      if (!head) throw new SessionNotFoundError(refKey(ref));
      try {
        await commitHead(baton, ref, head, {
          events: [{ kind: 'outbox_sent', messageId, receipt }],
          dedupe: { dedupeKey: `outbox_sent:${messageId}`, result: { messageId } },
        });
        return { duplicate: false };
      } catch (error) {
        if (error instanceof DuplicateError) return { duplicate: true };
        throw error;
      }
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy to mark ${messageId} sent; try again`),
  );
}
