import { ConflictError, DuplicateError, SCHEMA_VERSION } from '@baton/core';
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
import type { ConformanceContext } from './store-harness.js';

export function describeConflictCases(ctx: ConformanceContext): void {
  describe('conditional commit', () => {
    it('throws ConflictError and writes nothing when the expected version is stale', async () => {
      const store = ctx.store();
      const ref = ctx.ref('stale');
      const created = await createSession(store, ref, ctx.clock, [input('first')]);
      const winner = await appendEvents(store, created.head, ctx.clock, [answer('winner')]);
      const before = await stored(store, ref);
      expect(before).toEqual({ head: winner.head, events: [...created.events, ...winner.events] });

      // The loser read the same head as the winner and numbers its events from there.
      const at = ctx.clock.now();
      const events = numberEvents([answer('loser'), input('loser again')], created.head.seq + 1, at);
      await rejection(
        store.commit({
          ref,
          expectedVersion: created.head.version,
          head: nextHead(created.head, events, at, { status: 'failed' }),
          events,
          dedupe: { dedupeKey: 'loser', result: 'loser' },
        }),
        ConflictError,
      );

      expect(await stored(store, ref)).toEqual(before);
      expect(await store.load(ref)).toEqual({ head: winner.head, events: before.events });
      expect(await store.getDedupe(ref, 'loser')).toBeNull();
    });

    it('throws ConflictError and writes nothing when the expected version is ahead of the stored one', async () => {
      const store = ctx.store();
      const ref = ctx.ref('ahead');
      const created = await createSession(store, ref, ctx.clock, [input('first')]);
      const before = await stored(store, ref);
      const at = ctx.clock.now();
      const events = numberEvents([answer('from the future')], created.head.seq + 1, at);
      const ahead = { ...created.head, version: created.head.version + 1 };

      await rejection(
        store.commit({ ref, expectedVersion: ahead.version, head: nextHead(ahead, events, at), events }),
        ConflictError,
      );
      expect(await stored(store, ref)).toEqual(before);
    });

    it('throws ConflictError and writes nothing when creating a session that exists', async () => {
      const store = ctx.store();
      const ref = ctx.ref('exists');
      await createSession(store, ref, ctx.clock, [input('first'), answer('kept')]);
      const before = await stored(store, ref);

      await rejection(
        createSession(store, ref, ctx.clock, [input('second creator')], {
          patch: { agent: 'other-agent', status: 'running' },
          dedupe: { dedupeKey: 'second-creator', result: 'second' },
        }),
        ConflictError,
      );
      expect(await stored(store, ref)).toEqual(before);
      expect(await store.getDedupe(ref, 'second-creator')).toBeNull();
    });

    it('throws ConflictError and creates nothing when a version is expected of a missing session', async () => {
      const store = ctx.store();
      const ref = ctx.ref('never-created');
      const at = ctx.clock.now();
      const base = { ...newHead(ref.tenant, ref.sessionId, 'conformance-agent', at), version: 3, seq: 4 };
      const events = numberEvents([input('orphan')], 5, at);

      await rejection(
        store.commit({
          ref,
          expectedVersion: 3,
          head: nextHead(base, events, at),
          events,
          dedupe: { dedupeKey: 'orphan', result: 'orphan' },
        }),
        ConflictError,
      );
      expect(await stored(store, ref)).toEqual({ head: null, events: [] });
      expect(await store.getDedupe(ref, 'orphan')).toBeNull();
    });
  });

  describe('dedupe', () => {
    it('returns the dedupe record committed with the step from getDedupe', async () => {
      const store = ctx.store();
      const ref = ctx.ref('dedupe-read');
      const result = { reply: 'Hello!', seq: 2, tags: ['a'], nested: { ok: true, none: null } };
      await createSession(store, ref, ctx.clock, [input('hi', { dedupeKey: 'Ev0123' }), answer('Hello!')], {
        dedupe: { dedupeKey: 'Ev0123', result },
      });

      expect(await store.getDedupe(ref, 'Ev0123')).toEqual({
        v: SCHEMA_VERSION,
        dedupeKey: 'Ev0123',
        result,
        at: expect.any(Number),
      });
      expect(await store.getDedupe(ref, 'Ev0124')).toBeNull();
    });

    it('throws DuplicateError carrying the original result and writes nothing when the key was recorded', async () => {
      const store = ctx.store();
      const ref = ctx.ref('duplicate');
      const created = await createSession(store, ref, ctx.clock, [input('hi', { dedupeKey: 'msg-1' })], {
        dedupe: { dedupeKey: 'msg-1', result: { reply: 'first answer', seq: 1 } },
      });
      const before = await stored(store, ref);

      // The right version, so only the dedupe key can stop this commit.
      const error = await rejection(
        appendEvents(
          store,
          created.head,
          ctx.clock,
          [input('hi again', { dedupeKey: 'msg-1' }), answer('x')],
          {
            dedupe: { dedupeKey: 'msg-1', result: { reply: 'second answer' } },
          },
        ),
        DuplicateError,
      );
      expect(error.original).toMatchObject({ dedupeKey: 'msg-1', result: { reply: 'first answer', seq: 1 } });
      expect(await stored(store, ref)).toEqual(before);
      expect(await store.getDedupe(ref, 'msg-1')).toMatchObject({
        result: { reply: 'first answer', seq: 1 },
      });

      const next = await appendEvents(store, created.head, ctx.clock, [input('new message')], {
        dedupe: { dedupeKey: 'msg-2', result: 'second message' },
      });
      expect(await stored(store, ref)).toEqual({
        head: next.head,
        events: [...created.events, ...next.events],
      });
    });

    it('keeps equal dedupe keys of different sessions apart', async () => {
      const store = ctx.store();
      const first = ctx.ref('dedupe-scope');
      const second = ctx.ref('dedupe-scope');
      await createSession(store, first, ctx.clock, [input('one')], {
        dedupe: { dedupeKey: 'same', result: 'first' },
      });
      // A null answer is a recorded answer, and must not read back as a missing one.
      await createSession(store, second, ctx.clock, [input('two')], {
        dedupe: { dedupeKey: 'same', result: null },
      });

      expect(await store.getDedupe(first, 'same')).toMatchObject({ dedupeKey: 'same', result: 'first' });
      expect(await store.getDedupe(second, 'same')).toEqual({
        v: SCHEMA_VERSION,
        dedupeKey: 'same',
        result: null,
        at: expect.any(Number),
      });
    });
  });
}
