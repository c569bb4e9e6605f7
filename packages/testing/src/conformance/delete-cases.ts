import { jsonBytes } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { answer, appendEvents, createSession, input, listAll, numberEvents } from './fixtures.js';
import { largeToolResult } from './sized-events.js';
import type { ConformanceContext } from './store-harness.js';

export function describeDeleteCases(ctx: ConformanceContext): void {
  /** A 1.2 MB tool result where the store takes it, so a split event's parts must go too. */
  function largestResult(limit: number) {
    const large = largeToolResult(Math.round(1.2 * 1024 * 1024), 'call_big');
    return jsonBytes(numberEvents([large], 2, ctx.clock.now())[0]) <= limit
      ? large
      : largeToolResult(1024, 'call_big');
  }

  describe('delete', () => {
    it('removes the head, every event and every dedupe record of the session', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('delete');
      const ref = ctx.ref('doomed', tenant);
      const created = await createSession(
        store,
        ref,
        ctx.clock,
        [input('one'), largestResult(store.limits.maxEventBytes)],
        {
          dedupe: { dedupeKey: 'k1', result: 'one' },
        },
      );
      await appendEvents(store, created.head, ctx.clock, [input('two')], {
        dedupe: { dedupeKey: 'k2', result: 'two' },
      });

      await store.delete(ref);

      expect(await store.load(ref)).toBeNull();
      expect(await store.readHead(ref)).toBeNull();
      expect(await store.readEvents(ref)).toEqual([]);
      expect(await store.getDedupe(ref, 'k1')).toBeNull();
      expect(await store.getDedupe(ref, 'k2')).toBeNull();
      expect(await listAll(store, { tenant })).toEqual([]);
    });

    it('creates a deleted session again from scratch', async () => {
      const store = ctx.store();
      const ref = ctx.ref('reborn');
      const old = await createSession(
        store,
        ref,
        ctx.clock,
        [input('old'), largestResult(store.limits.maxEventBytes)],
        {
          patch: { toolState: { old: true } },
          dedupe: { dedupeKey: 'k1', result: 'old' },
        },
      );
      await appendEvents(store, old.head, ctx.clock, [answer('old answer')]);
      await store.delete(ref);

      // The same seqs and dedupe key as before: nothing of the old session may show through.
      const fresh = await createSession(store, ref, ctx.clock, [input('new'), answer('new answer')], {
        dedupe: { dedupeKey: 'k1', result: 'new' },
      });
      expect(fresh.head.version).toBe(1);
      expect(await store.load(ref)).toEqual({ head: fresh.head, events: fresh.events });
      expect(await store.readEvents(ref)).toEqual(fresh.events);
      expect(await store.getDedupe(ref, 'k1')).toMatchObject({ result: 'new' });
    });

    it('leaves sessions whose ids share a prefix or match as a pattern untouched', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('delete-prefix');
      const ids = ['doc', 'do%', 'doc/1', 'doc#1', 'docs', 'do_', 'dOc'];
      for (const sessionId of ids) {
        await createSession(store, { tenant, sessionId }, ctx.clock, [input(sessionId)], {
          dedupe: { dedupeKey: 'k', result: sessionId },
        });
      }

      await store.delete({ tenant, sessionId: 'doc' });
      await store.delete({ tenant, sessionId: 'do%' });

      for (const sessionId of ids.slice(2)) {
        const ref = { tenant, sessionId };
        expect(await store.readHead(ref)).toMatchObject({ sessionId, seq: 1 });
        expect(await store.readEvents(ref)).toEqual([expect.objectContaining({ text: sessionId })]);
        expect(await store.getDedupe(ref, 'k')).toMatchObject({ result: sessionId });
      }
      expect((await listAll(store, { tenant })).map((head) => head.sessionId).sort()).toEqual(
        ids.slice(2).sort(),
      );
    });

    it('does nothing when the session does not exist', async () => {
      const store = ctx.store();
      const ref = ctx.ref('never-there');

      await expect(store.delete(ref)).resolves.toBeUndefined();
      expect(await store.readHead(ref)).toBeNull();
    });
  });
}
