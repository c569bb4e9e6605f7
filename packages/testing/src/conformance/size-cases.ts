import { EventTooLargeError, jsonBytes, type SessionEvent } from '@baton/core';
import { newHead } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import {
  answer,
  appendEvents,
  createSession,
  input,
  nextHead,
  numberEvents,
  rejection,
  stored,
} from './fixtures.js';
import { eventOfBytes, largeToolResult } from './sized-events.js';
import type { ConformanceContext } from './store-harness.js';

/** Above DynamoDB's 400 KB item limit and below Cosmos DB's 2 MB, so a store must split or offload it. */
const LARGE_EVENT_BYTES = Math.round(1.2 * 1024 * 1024);
const SLOW_TEST_MS = 120_000;

export function describeSizeCases(ctx: ConformanceContext): void {
  describe('event sizes', () => {
    it('declares a finite, positive maxEventBytes', () => {
      const limit = ctx.store().limits.maxEventBytes;
      expect(Number.isSafeInteger(limit)).toBe(true);
      expect(limit).toBeGreaterThan(0);
    });

    it(
      'round-trips an event one byte under maxEventBytes byte-identical',
      async () => {
        const store = ctx.store();
        const ref = ctx.ref('just-under');
        const created = await createSession(store, ref, ctx.clock, [input('attach this')]);
        const big = eventOfBytes(store.limits.maxEventBytes - 1, created.head.seq + 1, ctx.clock.now());
        const last = numberEvents([answer('received')], big.seq + 1, big.at);
        const events = [big, ...last];
        const head = nextHead(created.head, events, big.at);
        await store.commit({ ref, expectedVersion: created.head.version, head, events });

        const read = await store.readEvents(ref, { afterSeq: created.head.seq, limit: 1 });
        expect(read).toHaveLength(1);
        expect(jsonBytes(read[0])).toBe(jsonBytes(big));
        // Compared on its own so a mismatch reports as a boolean, not a 16 MB diff.
        expect((read[0] as { text?: string } | undefined)?.text === (big as { text: string }).text).toBe(
          true,
        );
        expect(read[0]).toEqual(big);
        expect(await store.load(ref)).toEqual({ head, events: [...created.events, ...events] });
      },
      SLOW_TEST_MS,
    );

    it(
      'round-trips a 1.2 MB event between small ones, or rejects it when above the limit',
      async () => {
        const store = ctx.store();
        const ref = ctx.ref('large');
        const created = await createSession(store, ref, ctx.clock, [input('export everything')]);
        const bodies = [
          answer('exporting'),
          largeToolResult(LARGE_EVENT_BYTES, 'call_export'),
          answer('exported'),
        ];
        const largeBytes = jsonBytes(numberEvents(bodies, created.head.seq + 1, ctx.clock.now())[1]);
        expect(largeBytes).toBeGreaterThanOrEqual(LARGE_EVENT_BYTES);

        if (largeBytes > store.limits.maxEventBytes) {
          await rejection(appendEvents(store, created.head, ctx.clock, bodies), EventTooLargeError);
          expect(await stored(store, ref)).toEqual({ head: created.head, events: created.events });
          return;
        }
        const appended = await appendEvents(store, created.head, ctx.clock, bodies);
        const all = [...created.events, ...appended.events];
        expect(await store.readEvents(ref)).toEqual(all);
        // A store that keeps the chunks of a split event as rows must still count it as one event.
        expect(await store.readEvents(ref, { afterSeq: 2, limit: 1 })).toEqual([appended.events[1]]);
        expect(await store.readEvents(ref, { afterSeq: 3, limit: 1 })).toEqual([appended.events[2]]);
        expect(await store.load(ref)).toEqual({ head: appended.head, events: all });
      },
      SLOW_TEST_MS,
    );

    it(
      'throws EventTooLargeError and writes nothing when an event exceeds the limit',
      async () => {
        const store = ctx.store();
        const limit = store.limits.maxEventBytes;
        const ref = ctx.ref('too-large');
        const created = await createSession(store, ref, ctx.clock, [input('first')]);
        const before = await stored(store, ref);
        const at = ctx.clock.now();
        const small = numberEvents([answer('fits')], created.head.seq + 1, at);
        const events: SessionEvent[] = [...small, eventOfBytes(limit + 1, created.head.seq + 2, at)];

        const error = await rejection(
          store.commit({
            ref,
            expectedVersion: created.head.version,
            head: nextHead(created.head, events, at),
            events,
            dedupe: { dedupeKey: 'too-large', result: 'accepted' },
          }),
          EventTooLargeError,
        );
        expect(error.details).toMatchObject({ limit });
        expect(error.details?.bytes).toBeGreaterThan(limit);
        expect(await stored(store, ref)).toEqual(before);
        expect(await store.getDedupe(ref, 'too-large')).toBeNull();
      },
      SLOW_TEST_MS,
    );

    it(
      'throws EventTooLargeError and creates nothing when the first commit holds an event over the limit',
      async () => {
        const store = ctx.store();
        const ref = ctx.ref('too-large-create');
        const at = ctx.clock.now();

        const events = [
          ...numberEvents([input('first')], 1, at),
          eventOfBytes(store.limits.maxEventBytes + 1, 2, at),
        ];
        const head = nextHead(newHead(ref.tenant, ref.sessionId, 'conformance-agent', at), events, at);

        await rejection(store.commit({ ref, expectedVersion: null, head, events }), EventTooLargeError);
        expect(await stored(store, ref)).toEqual({ head: null, events: [] });
      },
      SLOW_TEST_MS,
    );
  });
}
