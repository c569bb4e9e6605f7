import { EventTooLargeError, PayloadTooLargeError, SCHEMA_VERSION, type SessionEvent } from '@baton/core';
import { type CommitRequest, eventRecords, newHead } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { type BatchLimits, planCommit } from './commit-plan.js';
import { isSafeId } from './documents.js';
import { expandBundles } from './event-bundles.js';

const ref = { tenant: 'acme', sessionId: 'slack/T1/C2/1700000000.000100' };
const pk = '["acme","slack/T1/C2/1700000000.000100"]';
// Small enough that a few kilobytes of events exercise chunking; same shape as Cosmos's limits.
const small: BatchLimits = { operations: 100, batchBytes: 8_000, chunkBytes: 3_000 };

function events(texts: string[], firstSeq = 1): SessionEvent[] {
  return texts.map((text, index) => ({
    kind: 'input',
    text,
    source: 'test',
    v: SCHEMA_VERSION,
    seq: firstSeq + index,
    at: 5,
  }));
}

function request(list: SessionEvent[], options: Partial<CommitRequest> = {}): CommitRequest {
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 5), version: 2, seq: list.at(-1)?.seq ?? 0 };
  return { ref, expectedVersion: 1, head, events: list, ...options };
}

describe('planCommit', () => {
  it('puts the head Replace with its ETag first, then the events, then the dedupe record', () => {
    const plan = planCommit({
      request: request(events(['hi', 'there']), { dedupe: { dedupeKey: 'Ev/1', result: { ok: true } } }),
      pk,
      etag: '"etag-1"',
      maxEventBytes: 1_000_000,
      expiry: undefined,
    });

    expect(plan.chunks).toEqual([]);
    expect(plan.operations.map((operation) => [operation.role, operation.kind])).toEqual([
      ['head', 'Replace'],
      ['events', 'Create'],
      ['dedupe', 'Create'],
    ]);
    expect(plan.operations[0]).toMatchObject({
      ifMatch: '"etag-1"',
      document: { id: 'head', pk },
    });
    expect(plan.operations[1]!.document).toMatchObject({
      id: 'e.1',
      seq: 1,
      last: 2,
      // Stored in the short form every store writes (core's record codec).
      events: eventRecords(events(['hi', 'there'])),
    });
    expect(plan.operations[2]!.document).toMatchObject({
      dedupe: { dedupeKey: 'Ev/1', result: { ok: true }, at: 5 },
    });
    expect(plan.operations.every((operation) => isSafeId(operation.document.id))).toBe(true);
  });

  it('creates the head when the session is new', () => {
    const plan = planCommit({
      request: request([], { expectedVersion: null }),
      pk,
      etag: null,
      maxEventBytes: 100,
      expiry: undefined,
    });

    expect(plan.operations).toEqual([expect.objectContaining({ role: 'head', kind: 'Create' })]);
    expect(plan.operations[0]).not.toHaveProperty('ifMatch');
  });

  it('splits the events into chunk documents when they would not fit the batch', () => {
    // Multi-byte characters, so some chunk boundary falls inside a character.
    const list = events(['Größe 世界 🚀 '.repeat(300), 'small', 'ß'.repeat(2_000)]);
    const plan = planCommit({
      request: request(list),
      pk,
      etag: 'e',
      maxEventBytes: 100_000,
      expiry: undefined,
      limits: small,
      token: 'tok',
    });

    const reference = plan.operations[1]!.document;
    expect(reference).not.toHaveProperty('events');
    expect(reference).toMatchObject({
      id: 'e.1',
      seq: 1,
      last: 3,
      parts: { token: 'tok', count: plan.chunks.length },
    });
    expect(plan.chunks.length).toBe(Math.ceil(Buffer.byteLength(JSON.stringify(list)) / small.chunkBytes));
    expect(plan.chunks.every((chunk) => isSafeId(chunk.id) && chunk.pk === pk)).toBe(true);
    expect(plan.batchBytes).toBeLessThanOrEqual(small.batchBytes);
    expect(expandBundles([reference as never], [...plan.chunks].reverse())).toEqual(list);
  });

  it('keeps every batch at three operations when a commit holds hundreds of events', () => {
    const list = events(Array.from({ length: 250 }, (_, index) => `event ${index}`));
    const plan = planCommit({
      request: request(list, { dedupe: { dedupeKey: 'k', result: null } }),
      pk,
      etag: 'e',
      maxEventBytes: 1_000,
      expiry: undefined,
      limits: { ...small, batchBytes: 1_900_000 },
    });

    expect(plan.operations).toHaveLength(3);
    expect(plan.operations[1]!.document).toMatchObject({ seq: 1, last: 250 });
  });

  it('throws EventTooLargeError when one event exceeds maxEventBytes', () => {
    const list = events(['fits', 'x'.repeat(2_000)]);
    const plan = () =>
      planCommit({ request: request(list), pk, etag: 'e', maxEventBytes: 1_000, expiry: undefined });

    expect(plan).toThrow(EventTooLargeError);
  });

  it('throws PayloadTooLargeError when the head alone would not fit the batch', () => {
    const big = request(events(['hi']));
    big.head = { ...big.head, toolState: { blob: 'x'.repeat(10_000) } };

    expect(() =>
      planCommit({ request: big, pk, etag: 'e', maxEventBytes: 1_000, expiry: undefined, limits: small }),
    ).toThrow(PayloadTooLargeError);
  });

  it('stamps the head, the events and their chunks, and the dedupe record each with their own expiry', () => {
    const list = events(['a'.repeat(5_000), 'b'.repeat(5_000)]);
    const expiry = {
      head: { ttl: 3600, expiresAt: 3_600_005 },
      events: { ttl: 7200, expiresAt: 7_200_005 },
      dedupe: { ttl: 60, expiresAt: 60_005 },
    };
    const plan = planCommit({
      request: request(list, { dedupe: { dedupeKey: 'k', result: 1 } }),
      pk,
      etag: 'e',
      maxEventBytes: 100_000,
      expiry,
      limits: small,
    });

    expect(plan.chunks.length).toBeGreaterThan(0);
    for (const chunk of plan.chunks) expect(chunk).toMatchObject(expiry.events);
    for (const { role, document } of plan.operations) expect(document).toMatchObject(expiry[role]);
  });
});
