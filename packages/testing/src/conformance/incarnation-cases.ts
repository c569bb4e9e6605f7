import { ConflictError, type Head, type SessionRef, type SessionStore } from '@baton/core';
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
  type Written,
} from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

/**
 * A session deleted and created again under the same id starts again at version 1. A writer that
 * still holds a head of the deleted session must not land on the new one, even when the versions
 * (and the event numbering) match: every conditional commit also compares the head's incarnation.
 */
export function describeIncarnationCases(ctx: ConformanceContext): void {
  const store = () => ctx.store();

  /** Creates a session and advances it to version 3 / seq 3, with tool state and a dedupe record. */
  async function threeVersions(store: SessionStore, ref: SessionRef, tag: string): Promise<Written> {
    const created = await createSession(store, ref, ctx.clock, [input(`${tag} question`)], {
      dedupe: { dedupeKey: 'trigger-1', result: tag },
    });
    const answered = await appendEvents(store, created.head, ctx.clock, [answer(`${tag} answer`)], {
      patch: { toolState: { owner: tag } },
    });
    return appendEvents(store, answered.head, ctx.clock, [input(`${tag} follow-up`)], {
      patch: { status: 'running' },
    });
  }

  /** Everything of the session a stale commit could touch. */
  async function snapshot(store: SessionStore, ref: SessionRef) {
    return {
      head: await store.readHead(ref),
      events: await store.readEvents(ref),
      load: await store.load(ref),
      trigger: await store.getDedupe(ref, 'trigger-1'),
      stale: await store.getDedupe(ref, 'stale-trigger'),
    };
  }

  /** What the stale writer tries: one more step on top of the deleted session's head. */
  function staleStep(ref: SessionRef, old: Head, events: number) {
    const at = ctx.clock.now();
    const bodies = [answer('stale answer'), input('stale input')].slice(0, events);
    const numbered = numberEvents(bodies, old.seq + 1, at);
    return store().commit({
      ref,
      expectedVersion: old.version,
      head: nextHead(old, numbered, at, { toolState: { owner: 'stale' }, status: 'idle' }),
      events: numbered,
      dedupe: { dedupeKey: 'stale-trigger', result: 'stale' },
    });
  }
  describe('incarnations (delete, then create again)', () => {
    it('refuses a stale writer whose version and seq match the new session, writing nothing', async () => {
      const ref = ctx.ref('reincarnated');
      const old = await threeVersions(store(), ref, 'old');
      await store().delete(ref);
      ctx.clock.advance(1);
      const fresh = await threeVersions(store(), ref, 'new');
      expect({ version: fresh.head.version, seq: fresh.head.seq }).toEqual({
        version: old.head.version,
        seq: old.head.seq,
      });
      const before = await snapshot(store(), ref);

      await rejection(staleStep(ref, old.head, 2), ConflictError);

      const after = await snapshot(store(), ref);
      expect(after).toEqual(before);
      expect(after.head).toEqual(fresh.head);
      expect(after.head?.toolState).toEqual({ owner: 'new' });
      expect(after.trigger).toMatchObject({ result: 'new' });
      expect(after.stale).toBeNull();
    });

    it('refuses, with ConflictError, a stale step or lease renewal whose seq does not continue the new log', async () => {
      const ref = ctx.ref('reincarnated-shorter');
      const old = await threeVersions(store(), ref, 'old');
      await store().delete(ref);
      ctx.clock.advance(1);
      // Version 3 again, but with a longer log: the stale writer's events do not follow it.
      const created = await createSession(store(), ref, ctx.clock, [input('new'), answer('new')], {
        dedupe: { dedupeKey: 'trigger-1', result: 'new' },
      });
      const second = await appendEvents(store(), created.head, ctx.clock, [input('more'), answer('more')]);
      const fresh = await appendEvents(store(), second.head, ctx.clock, [], {
        patch: { toolState: { owner: 'new' } },
      });
      expect(fresh.head.version).toBe(old.head.version);
      const before = await snapshot(store(), ref);

      await rejection(staleStep(ref, old.head, 1), ConflictError);
      await rejection(staleStep(ref, old.head, 0), ConflictError);

      expect(await snapshot(store(), ref)).toEqual(before);
    });

    it('keeps accepting commits on a head stored before incarnations, and fences it after a re-create', async () => {
      const ref = ctx.ref('legacy-head');
      const at = ctx.clock.now();
      const { incarnation: _none, ...bare } = newHead(ref.tenant, ref.sessionId, 'legacy-agent', at);
      const events = numberEvents([input('from an older Baton')], 1, at);
      const legacy: Head = nextHead(bare, events, at);
      await ctx.harness.writeRaw(store(), { ref, head: legacy, events });
      const read = await store().readHead(ref);
      expect(read?.incarnation).toBeUndefined();

      const next = await appendEvents(store(), read!, ctx.clock, [answer('still writable')]);
      expect(await store().readHead(ref)).toEqual(next.head);

      await store().delete(ref);
      const fresh = await createSession(store(), ref, ctx.clock, [input('new'), answer('new')]);
      expect(fresh.head.version).toBe(next.head.version - 1);
      const renewed = await appendEvents(store(), fresh.head, ctx.clock, []);
      expect(renewed.head.version).toBe(next.head.version);
      const before = await snapshot(store(), ref);

      await rejection(staleStep(ref, next.head, 0), ConflictError);
      expect(await snapshot(store(), ref)).toEqual(before);
    });
  });
}
