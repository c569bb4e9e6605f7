import { ConflictError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import {
  answer,
  appendEvents,
  createSession,
  everyKind,
  input,
  nextHead,
  numberEvents,
  rejection,
  stored,
} from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

export function describeCommitCases(ctx: ConformanceContext): void {
  describe('commit and read', () => {
    it('creates a session and reads it back identical when expectedVersion is null', async () => {
      const store = ctx.store();
      const ref = ctx.ref('create');
      const created = await createSession(store, ref, ctx.clock, [input('hello'), answer('hi there')]);

      expect(created.head).toMatchObject({ version: 1, seq: 2 });
      expect(await store.readHead(ref)).toEqual(created.head);
      expect(await store.readEvents(ref)).toEqual(created.events);
      expect(await store.load(ref)).toEqual({ head: created.head, events: created.events });
    });

    it('creates a session without events when the first commit carries none', async () => {
      const store = ctx.store();
      const ref = ctx.ref('create-empty');
      const created = await createSession(store, ref, ctx.clock);

      expect(await store.load(ref)).toEqual({ head: created.head, events: [] });
      expect(await store.readEvents(ref)).toEqual([]);
    });

    it('appends events numbered after the last one when the expected version matches', async () => {
      const store = ctx.store();
      const ref = ctx.ref('append');
      const created = await createSession(store, ref, ctx.clock, [input('one')]);
      ctx.clock.advance(5);
      const appended = await appendEvents(store, created.head, ctx.clock, [answer('two'), input('three')]);

      const events = await store.readEvents(ref);
      expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
      expect(events).toEqual([...created.events, ...appended.events]);
      expect(await store.readHead(ref)).toEqual(appended.head);
      expect(appended.head).toMatchObject({ version: 2, seq: 3, lastInputSeq: 3 });
    });

    it('updates the head alone when a commit carries no events', async () => {
      const store = ctx.store();
      const ref = ctx.ref('head-only');
      const created = await createSession(store, ref, ctx.clock, [input('one')]);
      const updated = await appendEvents(store, created.head, ctx.clock, [], {
        patch: { status: 'running', toolState: { cart: ['kiwi'], total: 0.25 } },
      });

      expect(await store.readHead(ref)).toEqual(updated.head);
      expect(await store.readEvents(ref)).toEqual(created.events);
    });

    it('returns events after afterSeq, at most limit, in order', async () => {
      const store = ctx.store();
      const ref = ctx.ref('page-events');
      const bodies = Array.from({ length: 10 }, (_, index) =>
        index % 2 ? answer(`a${index}`) : input(`q${index}`),
      );
      const { events } = await createSession(store, ref, ctx.clock, bodies);

      expect(await store.readEvents(ref, { afterSeq: 3, limit: 4 })).toEqual(events.slice(3, 7));
      expect(await store.readEvents(ref, { limit: 3 })).toEqual(events.slice(0, 3));
      expect(await store.readEvents(ref, { afterSeq: 8 })).toEqual(events.slice(8));
      expect(await store.readEvents(ref, { afterSeq: 7, limit: 50 })).toEqual(events.slice(7));
      expect(await store.readEvents(ref, { afterSeq: 10 })).toEqual([]);
    });

    it('returns null and no events when the session does not exist', async () => {
      const store = ctx.store();
      const ref = ctx.ref('missing');

      expect(await store.load(ref)).toBeNull();
      expect(await store.readHead(ref)).toBeNull();
      expect(await store.readEvents(ref)).toEqual([]);
      expect(await store.getDedupe(ref, 'anything')).toBeNull();
    });

    it('writes all 40 events of one commit, of every kind, in order', async () => {
      const store = ctx.store();
      const ref = ctx.ref('forty');
      const created = await createSession(store, ref, ctx.clock, [input('start')]);
      const bodies = [...everyKind('a'), ...everyKind('b'), ...everyKind('c')];
      expect(bodies).toHaveLength(39);
      const appended = await appendEvents(store, created.head, ctx.clock, bodies, {
        dedupe: { dedupeKey: 'forty', result: { accepted: true } },
      });

      const events = await store.readEvents(ref);
      expect(events).toHaveLength(40);
      expect(events).toEqual([...created.events, ...appended.events]);
      expect(await store.readHead(ref)).toEqual(appended.head);
      expect(await store.getDedupe(ref, 'forty')).toMatchObject({ result: { accepted: true } });
    });

    it('writes none of 40 events when their commit conflicts', async () => {
      const store = ctx.store();
      const ref = ctx.ref('forty-conflict');
      const created = await createSession(store, ref, ctx.clock, [input('start')]);
      const winner = await appendEvents(store, created.head, ctx.clock, [answer('winner')]);
      const before = await stored(store, ref);
      const at = ctx.clock.now();
      // Numbered from 3 so none of them collides with an existing event: only the version can stop them.
      const events = numberEvents(
        [...everyKind('x'), ...everyKind('y'), ...everyKind('z'), input('end')],
        3,
        at,
      );
      const stale = { ...nextHead(winner.head, events, at), version: winner.head.version };

      await rejection(
        store.commit({
          ref,
          expectedVersion: created.head.version,
          head: stale,
          events,
          dedupe: { dedupeKey: 'forty-stale', result: 'stale' },
        }),
        ConflictError,
      );
      expect(await stored(store, ref)).toEqual(before);
      expect(await store.getDedupe(ref, 'forty-stale')).toBeNull();
    });

    it('loads from head.contextStart while readEvents still returns earlier events', async () => {
      const store = ctx.store();
      const ref = ctx.ref('context');
      const early = await createSession(store, ref, ctx.clock, [
        input('q1'),
        answer('a1'),
        input('q2'),
        answer('a2'),
        input('q3'),
      ]);
      const summarized = await appendEvents(
        store,
        early.head,
        ctx.clock,
        [{ kind: 'summary', text: 'Asked three questions, answered two.', throughSeq: 5 }],
        { patch: { contextStart: 6, summarySeq: 6 } },
      );
      const late = await appendEvents(store, summarized.head, ctx.clock, [answer('a3'), input('q4')]);

      expect(await store.load(ref)).toEqual({
        head: late.head,
        events: [...summarized.events, ...late.events],
      });
      expect(await store.readEvents(ref)).toEqual([...early.events, ...summarized.events, ...late.events]);
      expect(await store.readEvents(ref, { afterSeq: 2, limit: 2 })).toEqual(early.events.slice(2, 4));
    });
  });
}
