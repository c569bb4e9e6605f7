import type { SessionRef, SessionStore } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../manual-clock.js';
import { answer, appendEvents, createSession, input, listAll, type Written } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

const TTL_SECONDS = 3600;
const SECOND = 1000;
const DAY = 86_400 * SECOND;

/**
 * Retention is per session (docs/design.md, "Records and their versions"): a session that keeps
 * committing keeps every event however long it lives; one idle for its TTL is gone as a whole, for
 * every reader at once and after the backend's own expiry deleted whatever it deletes; dedupe
 * records go after their window (7 days by default) with or without a session TTL. Each store runs
 * on its own manual clock and namespace, so days pass without touching the rest of the suite.
 */
export function describeRetentionCases(ctx: ConformanceContext): void {
  const retention = ctx.harness.retention;
  describe.skipIf(!retention)('retention', () => {
    const clock = new ManualClock(Date.now());
    const stores: SessionStore[] = [];
    let withTtl: SessionStore;
    let withDefaults: SessionStore;

    beforeAll(async () => {
      withTtl = await retention!.create({ clock, ttlSeconds: TTL_SECONDS });
      withDefaults = await retention!.create({ clock });
      stores.push(withTtl, withDefaults);
    });
    afterAll(async () => {
      for (const store of stores) await retention!.destroy(store);
    });

    /** Moves the clock, then lets the backend delete everything expired by then. */
    async function pass(ms: number): Promise<void> {
      clock.advance(ms);
      for (const store of stores) await retention!.expire(store, clock.now());
    }

    async function expectGone(store: SessionStore, ref: SessionRef, dedupeKey: string): Promise<void> {
      expect(await store.load(ref)).toBeNull();
      expect(await store.readHead(ref)).toBeNull();
      expect(await store.readEvents(ref)).toEqual([]);
      expect(await store.getDedupe(ref, dedupeKey)).toBeNull();
      expect(await listAll(store, { tenant: ref.tenant })).toEqual([]);
    }

    it('keeps every live-context event of a session active for several times its TTL', async () => {
      const ref = ctx.ref('long-lived', ctx.tenant('retention'));
      let written: Written = await createSession(withTtl, ref, clock, [input('first'), answer('one')], {
        dedupe: { dedupeKey: 'first', result: 1 },
      });
      const events = [...written.events];
      // Each step comes well inside the TTL of the one before; together they last 4 TTLs.
      for (let step = 0; step < 8; step++) {
        await pass(TTL_SECONDS * SECOND * 0.5);
        written = await appendEvents(withTtl, written.head, clock, [input(`step ${step}`)]);
        events.push(...written.events);
      }
      await pass(TTL_SECONDS * SECOND - SECOND);

      expect(await withTtl.load(ref)).toEqual({ head: written.head, events });
      expect(await withTtl.readEvents(ref)).toEqual(events);
      expect((await listAll(withTtl, { tenant: ref.tenant })).map((head) => head.version)).toEqual([
        written.head.version,
      ]);
    });

    it('drops a session idle past its TTL as a whole, never half, and starts it afresh', async () => {
      const ref = ctx.ref('idle', ctx.tenant('retention'));
      const first = await createSession(withTtl, ref, clock, [input('a')]);
      await pass(TTL_SECONDS * SECOND * 0.5);
      // A dedupe record lives its window, or its session's TTL when that is shorter.
      const last = await appendEvents(withTtl, first.head, clock, [answer('b'), input('c')], {
        dedupe: { dedupeKey: 'k', result: 'old' },
      });
      await pass(TTL_SECONDS * SECOND - SECOND);
      expect(await withTtl.load(ref)).toEqual({ head: last.head, events: [...first.events, ...last.events] });
      expect(await withTtl.getDedupe(ref, 'k')).toMatchObject({ result: 'old' });

      // Past the TTL of its last commit: gone for every reader before the backend deleted anything,
      clock.advance(SECOND);
      await expectGone(withTtl, ref, 'k');
      // and still once it has deleted whatever it deletes (the events may outlive their head).
      await pass(0);
      await expectGone(withTtl, ref, 'k');
      await pass(TTL_SECONDS * SECOND);
      await expectGone(withTtl, ref, 'k');

      const again = await createSession(withTtl, ref, clock, [input('new')], {
        dedupe: { dedupeKey: 'k', result: 'new' },
      });
      expect(await withTtl.load(ref)).toEqual({ head: again.head, events: again.events });
      expect(await withTtl.readEvents(ref)).toEqual(again.events);
      expect(await withTtl.getDedupe(ref, 'k')).toMatchObject({ result: 'new' });
    });

    it('forgets a dedupe record after 7 days by default, even when sessions are kept forever', async () => {
      const ref = ctx.ref('dedupe-window', ctx.tenant('retention'));
      const first = await createSession(withDefaults, ref, clock, [input('a')], {
        dedupe: { dedupeKey: 'slack:Ev1', result: 1 },
      });
      await pass(7 * DAY - SECOND);
      expect(await withDefaults.getDedupe(ref, 'slack:Ev1')).toMatchObject({ result: 1 });

      await pass(SECOND);
      expect(await withDefaults.getDedupe(ref, 'slack:Ev1')).toBeNull();
      // The session itself has no TTL here: it stays whole, and the key can be recorded again.
      expect(await withDefaults.load(ref)).toEqual(first);
      const next = await appendEvents(withDefaults, first.head, clock, [input('again')], {
        dedupe: { dedupeKey: 'slack:Ev1', result: 2 },
      });
      expect(await withDefaults.getDedupe(ref, 'slack:Ev1')).toMatchObject({ result: 2 });
      expect(await withDefaults.readEvents(ref)).toEqual([...first.events, ...next.events]);
    });
  });
}
