import { randomBytes } from 'node:crypto';
import { EventTooLargeError, jsonBytes, PayloadTooLargeError, type SessionEvent } from '@baton/core';
import {
  type CommitRequest,
  type DedupeRecord,
  eventRecords,
  hasPendingWork,
  headRecord,
} from '@baton/core/store';
import {
  type ChunkDocument,
  chunkId,
  type DedupeDocument,
  dedupeId,
  type EventsDocument,
  eventsId,
  HEAD_ID,
  type HeadDocument,
} from './documents.js';
import type { Expiries, Expiry } from './retention.js';

/**
 * Turns a commit into documents: one transactional batch (the head's conditional operation first,
 * then the events document, then the dedupe record) plus, when the events do not fit the batch,
 * chunk documents written before it. Pure: no I/O, so the limits are unit-tested without a server.
 */

export interface BatchLimits {
  /** Cosmos: at most 100 operations per transactional batch. */
  operations: number;
  /** JSON bytes of the batch's operations; Cosmos allows 2 MB, the rest is headroom for the envelope. */
  batchBytes: number;
  /** Raw bytes per chunk document; base64 makes them 4/3 larger, still under the 2 MB item limit. */
  chunkBytes: number;
}

export const COSMOS_BATCH_LIMITS: BatchLimits = {
  operations: 100,
  batchBytes: 1_900_000,
  chunkBytes: 1_400_000,
};

export type OperationRole = 'head' | 'events' | 'dedupe';

export interface PlannedOperation {
  role: OperationRole;
  kind: 'Create' | 'Replace';
  document: HeadDocument | EventsDocument | DedupeDocument;
  /** The ETag the head must still have (Replace only). */
  ifMatch?: string;
}

export interface CommitPlan {
  /** Written first, each in its own request; invisible until the batch commits the events document that names them. */
  chunks: ChunkDocument[];
  /** In batch order; the head's operation is always first. */
  operations: PlannedOperation[];
  /** JSON bytes of the batch's documents. */
  batchBytes: number;
}

export interface PlanInput {
  request: CommitRequest;
  pk: string;
  /** The stored head's ETag, or null to create the session. */
  etag: string | null;
  maxEventBytes: number;
  /** Per kind of document (retention.ts): `ttl` seconds and the matching `expiresAt` by the store's clock. */
  expiry: Partial<Expiries> | undefined;
  limits?: BatchLimits;
  /** Chunk token; random unless a test pins it. */
  token?: string;
}

/** Refuses, before anything is read or written, an event larger than the store accepts. */
export function assertEventSizes(events: readonly SessionEvent[], maxEventBytes: number): void {
  for (const event of events) {
    const bytes = jsonBytes(event);
    if (bytes > maxEventBytes) throw new EventTooLargeError(bytes, maxEventBytes);
  }
}

export function planCommit(input: PlanInput): CommitPlan {
  const { request, pk } = input;
  const expiry = input.expiry ?? {};
  const limits = input.limits ?? COSMOS_BATCH_LIMITS;
  assertEventSizes(request.events, input.maxEventBytes);
  const { head } = request;
  const headDocument: HeadDocument = {
    id: HEAD_ID,
    pk,
    type: 'head',
    tenant: head.tenant,
    sessionId: head.sessionId,
    status: head.status,
    updatedAt: head.updatedAt,
    // In the head document itself, so the marker commits (or not) with the head.
    ...(hasPendingWork(head) ? { pending: true as const } : {}),
    head: headRecord(head),
    ...expiry.head,
  };
  const operations: PlannedOperation[] = [
    input.etag === null
      ? { role: 'head', kind: 'Create', document: headDocument }
      : { role: 'head', kind: 'Replace', document: headDocument, ifMatch: input.etag },
  ];
  const dedupe = dedupeDocument(input);
  const fixedBytes = jsonBytes(headDocument) + (dedupe ? jsonBytes(dedupe) : 0);
  let chunks: ChunkDocument[] = [];
  if (request.events.length > 0) {
    const first = request.events[0]!.seq;
    const last = request.events.at(-1)!.seq;
    const inline: EventsDocument = {
      id: eventsId(first),
      pk,
      type: 'events',
      seq: first,
      last,
      events: eventRecords(request.events),
      ...expiry.events,
    };
    if (fixedBytes + jsonBytes(inline) <= limits.batchBytes) {
      operations.push({ role: 'events', kind: 'Create', document: inline });
    } else {
      const token = input.token ?? randomBytes(9).toString('base64url');
      chunks = splitIntoChunks(request.events, {
        pk,
        first,
        token,
        expiry: expiry.events,
        chunkBytes: limits.chunkBytes,
      });
      const bytes = Buffer.byteLength(JSON.stringify(eventRecords(request.events)), 'utf8');
      const reference: EventsDocument = {
        id: eventsId(first),
        pk,
        type: 'events',
        seq: first,
        last,
        parts: { token, count: chunks.length, bytes },
        ...expiry.events,
      };
      operations.push({ role: 'events', kind: 'Create', document: reference });
    }
  }
  if (dedupe) operations.push({ role: 'dedupe', kind: 'Create', document: dedupe });
  const batchBytes = operations.reduce((sum, operation) => sum + jsonBytes(operation.document), 0);
  // Only the head and the dedupe result can still be too large here: events always fit as a reference.
  if (batchBytes > limits.batchBytes) throw new PayloadTooLargeError(batchBytes, limits.batchBytes);
  if (operations.length > limits.operations) {
    throw new PayloadTooLargeError(operations.length, limits.operations);
  }
  return { chunks, operations, batchBytes };
}

function dedupeDocument(input: PlanInput): DedupeDocument | undefined {
  const { request } = input;
  if (!request.dedupe) return undefined;
  const record: DedupeRecord = { v: request.head.v, ...request.dedupe, at: request.head.updatedAt };
  return {
    id: dedupeId(request.dedupe.dedupeKey),
    pk: input.pk,
    type: 'dedupe',
    dedupe: record,
    ...input.expiry?.dedupe,
  };
}

function splitIntoChunks(
  events: SessionEvent[],
  options: {
    pk: string;
    first: number;
    token: string;
    expiry: Expiry | undefined;
    chunkBytes: number;
  },
): ChunkDocument[] {
  // Byte slices, not string slices: a multi-byte character may straddle two chunks and is whole again
  // once the buffers are concatenated.
  const payload = Buffer.from(JSON.stringify(eventRecords(events)), 'utf8');
  const chunks: ChunkDocument[] = [];
  for (let offset = 0, index = 0; offset < payload.length; offset += options.chunkBytes, index++) {
    chunks.push({
      id: chunkId(options.first, options.token, index),
      pk: options.pk,
      type: 'chunk',
      seq: options.first,
      token: options.token,
      index,
      data: payload.subarray(offset, offset + options.chunkBytes).toString('base64'),
      ...options.expiry,
    });
  }
  return chunks;
}
