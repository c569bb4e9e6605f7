import { type Clock, ConflictError, type SessionRef, type SessionStore } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { createSession, input, nextHead, numberEvents } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

const WRITERS = 32;
// A writer only loses to another writer's success, so WRITERS attempts suffice for a store without
// spurious conflicts; the margin allows some, and turns a store that lets no one through into a
// clear failure instead of a hang.
const MAX_ATTEMPTS = WRITERS * 4;
const SLOW_TEST_MS = 120_000;

/** Reads the head and commits one input on top of it, again and again until no one else got there first. */
async function commitWithRetry(
  store: SessionStore,
  ref: SessionRef,
  clock: Clock,
  text: string,
): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const head = await store.readHead(ref);
    if (!head) throw new Error(`session ${ref.sessionId} vanished`);
    const at = clock.now();
    const events = numberEvents([input(text)], head.seq + 1, at);
    try {
      await store.commit({ ref, expectedVersion: head.version, head: nextHead(head, events, at), events });
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new Error(`${text} did not get a commit through in ${MAX_ATTEMPTS} attempts`);
}

export function describeConcurrencyCases(ctx: ConformanceContext): void {
  describe('concurrent writers', () => {
    it(
      'numbers the events of 32 concurrent writers 1..32 without gaps, each payload once',
      async () => {
        const store = ctx.store();
        const ref = ctx.ref('contended');
        await createSession(store, ref, ctx.clock);
        const payloads = Array.from({ length: WRITERS }, (_, index) => `writer-${index}`);

        await Promise.all(payloads.map((text) => commitWithRetry(store, ref, ctx.clock, text)));

        const events = await store.readEvents(ref);
        expect(events.map((event) => event.seq)).toEqual(payloads.map((_, index) => index + 1));
        const texts = events.map((event) =>
          event.kind === 'input' ? event.text : `not an input: ${event.kind}`,
        );
        expect([...texts].sort()).toEqual([...payloads].sort());
        expect(await store.readHead(ref)).toMatchObject({
          seq: WRITERS,
          version: WRITERS + 1,
          lastInputSeq: WRITERS,
        });
        expect((await store.load(ref))?.events).toEqual(events);
      },
      SLOW_TEST_MS,
    );

    it(
      'lets exactly one of 32 concurrent creators create the session',
      async () => {
        const store = ctx.store();
        const ref = ctx.ref('create-race');
        const outcomes = await Promise.allSettled(
          Array.from({ length: WRITERS }, (_, index) =>
            createSession(store, ref, ctx.clock, [input(`creator-${index}`)], {
              dedupe: { dedupeKey: `create-${index}`, result: index },
            }),
          ),
        );

        const created = outcomes.flatMap((outcome) =>
          outcome.status === 'fulfilled' ? [outcome.value] : [],
        );
        const failures = outcomes.flatMap((outcome) =>
          outcome.status === 'rejected' ? [outcome.reason] : [],
        );
        expect(created).toHaveLength(1);
        for (const failure of failures) expect(failure).toBeInstanceOf(ConflictError);
        const winner = created[0]!;
        expect(await store.load(ref)).toEqual({ head: winner.head, events: winner.events });
        const winnerIndex = Number((winner.events[0] as { text: string }).text.replace('creator-', ''));
        const records = await Promise.all(
          Array.from({ length: WRITERS }, (_, index) => store.getDedupe(ref, `create-${index}`)),
        );
        // Only the winner's dedupe record exists: no loser wrote its own.
        expect(records.map((record) => record?.result ?? null)).toEqual(
          records.map((_, index) => (index === winnerIndex ? winnerIndex : null)),
        );
      },
      SLOW_TEST_MS,
    );
  });
}
