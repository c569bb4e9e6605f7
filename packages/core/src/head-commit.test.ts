import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { CONFLICT_RETRY } from './backoff.js';
import { ConflictError, DuplicateError } from './errors.js';
import { SCHEMA_VERSION } from './events.js';
import { newHead } from './head.js';
import { commitHead, planCommit, retryConflicts } from './head-commit.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';

const ref = sessionRef('acme', 'head-commit');

describe('planCommit', () => {
  it('numbers the events after the base, bumps the version, stamps the time, then applies the update', () => {
    const base = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1_000), version: 4, seq: 7 };
    const plan = planCommit(
      ref,
      base,
      {
        events: [
          { kind: 'error', code: 'a', message: 'first', retryable: false },
          { kind: 'error', code: 'b', message: 'second', retryable: false },
        ],
        update: (next, now) => ({ ...next, processedSeq: next.seq, runSteps: now }),
        dedupe: { dedupeKey: 'k', result: { ok: true } },
      },
      2_000,
    );
    expect(plan.events.map((event) => [event.seq, event.at, event.v])).toEqual([
      [8, 2_000, SCHEMA_VERSION],
      [9, 2_000, SCHEMA_VERSION],
    ]);
    expect(plan.head).toMatchObject({
      version: 5,
      seq: 9,
      updatedAt: 2_000,
      processedSeq: 9,
      runSteps: 2_000,
    });
    expect(plan.request).toMatchObject({ expectedVersion: 4, dedupe: { dedupeKey: 'k' } });
  });

  it('creates the session when the base has never been written (version 0)', () => {
    const plan = planCommit(ref, newHead(ref.tenant, ref.sessionId, 'agent', 1), {}, 1);
    expect(plan.request.expectedVersion).toBeNull();
    expect(plan.head.version).toBe(1);
  });
});

describe('commitHead', () => {
  it('commits conditionally on the base version and passes the store’s errors on', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const target = { store, clock };
    const base = newHead(ref.tenant, ref.sessionId, 'agent', clock.now());
    const dedupe = { dedupeKey: 'once', result: {} };
    const created = await commitHead(target, ref, base, { events: [], dedupe });
    expect(await store.readHead(ref)).toEqual(created.head);
    await expect(commitHead(target, ref, base, {})).rejects.toBeInstanceOf(ConflictError);
    await expect(commitHead(target, ref, created.head, { dedupe })).rejects.toBeInstanceOf(DuplicateError);
  });
});

describe('retryConflicts', () => {
  it('retries only conflicts, a bounded number of times', async () => {
    const clock = { now: () => 0, sleep: async () => {} };
    let calls = 0;
    await expect(
      retryConflicts(
        clock,
        async () => {
          calls++;
          throw new ConflictError();
        },
        () => new Error('too busy'),
      ),
    ).rejects.toThrow('too busy');
    expect(calls).toBe(CONFLICT_RETRY.attempts);
    calls = 0;
    await expect(
      retryConflicts(
        clock,
        async () => {
          calls++;
          throw new Error('store down');
        },
        () => new Error('too busy'),
      ),
    ).rejects.toThrow('store down');
    expect(calls).toBe(1);
  });
});
