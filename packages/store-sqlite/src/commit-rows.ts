import {
  ConflictError,
  EventTooLargeError,
  type Head,
  jsonBytes,
  SCHEMA_VERSION,
  ValidationError,
} from '@baton/core';
import {
  type CommitRequest,
  type DedupeRecord,
  eventRecords,
  headRecord,
  sameIncarnation,
} from '@baton/core/store';
import type { HeadCheckRow } from './statements.js';

/** A commit serialized once, checked before any lock is taken. */
export interface CommitRows {
  head: string;
  events: { seq: number; record: string }[];
  dedupe?: { dedupeKey: string; record: string };
  bytes: number;
}

/**
 * Serializes a commit and rejects one that could never be written correctly: an event over the
 * limit, or a head and events that do not follow the numbering rules of CommitRequest (which would
 * leave a gap in the log or a head that lies about it).
 */
export function commitRows(request: CommitRequest, maxEventBytes: number): CommitRows {
  const { ref, head, expectedVersion } = request;
  const records = eventRecords(request.events);
  const events = request.events.map((event, index) => {
    // The limit is on the event's JSON (as on every store), not on its shorter stored record.
    const size = jsonBytes(event);
    if (size > maxEventBytes) throw new EventTooLargeError(size, maxEventBytes);
    const record = JSON.stringify(records[index]);
    return { seq: event.seq, record, bytes: Buffer.byteLength(record, 'utf8') };
  });
  if (head.tenant !== ref.tenant || head.sessionId !== ref.sessionId) {
    throw new ValidationError('the head of a commit must belong to the session it is committed to');
  }
  if (head.version !== (expectedVersion ?? 0) + 1) {
    throw new ValidationError(`head.version must be ${(expectedVersion ?? 0) + 1}, got ${head.version}`);
  }
  const firstSeq = head.seq - events.length + 1;
  events.forEach((event, index) => {
    if (event.seq !== firstSeq + index) {
      throw new ValidationError(
        `event ${index} of the commit must have seq ${firstSeq + index}, got ${event.seq}`,
      );
    }
  });
  const headJson = JSON.stringify(headRecord(head));
  const dedupe = request.dedupe && {
    dedupeKey: request.dedupe.dedupeKey,
    record: JSON.stringify({
      v: SCHEMA_VERSION,
      dedupeKey: request.dedupe.dedupeKey,
      result: request.dedupe.result,
      at: head.updatedAt,
    } satisfies DedupeRecord),
  };
  const bytes =
    Buffer.byteLength(headJson, 'utf8') +
    events.reduce((sum, event) => sum + event.bytes, 0) +
    (dedupe ? Buffer.byteLength(dedupe.record, 'utf8') : 0);
  return {
    head: headJson,
    events: events.map(({ seq, record }) => ({ seq, record })),
    ...(dedupe ? { dedupe } : {}),
    bytes,
  };
}

/**
 * Refuses, as a lost race (ConflictError, retryable), a commit whose head belongs to another
 * incarnation of the session than the stored one: a writer of a deleted session. Checked before the
 * seq rule, since such a writer numbers its events after the old log.
 */
export function assertSameIncarnation(stored: HeadCheckRow | undefined, head: Head): void {
  const incarnation = stored?.incarnation;
  if (stored && !sameIncarnation(typeof incarnation === 'string' ? { incarnation } : {}, head)) {
    throw new ConflictError('the session was deleted and created again since this head was read');
  }
}
