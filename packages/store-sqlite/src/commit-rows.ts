import { ConflictError, EventTooLargeError, type Head, SCHEMA_VERSION, ValidationError } from '@baton/core';
import { type CommitRequest, type DedupeRecord, sameIncarnation } from '@baton/core/store';
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
  const events = request.events.map((event) => {
    const record = JSON.stringify(event);
    const bytes = Buffer.byteLength(record, 'utf8');
    if (bytes > maxEventBytes) throw new EventTooLargeError(bytes, maxEventBytes);
    return { seq: event.seq, record, bytes };
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
  const headRecord = JSON.stringify(head);
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
    Buffer.byteLength(headRecord, 'utf8') +
    events.reduce((sum, event) => sum + event.bytes, 0) +
    (dedupe ? Buffer.byteLength(dedupe.record, 'utf8') : 0);
  return {
    head: headRecord,
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
