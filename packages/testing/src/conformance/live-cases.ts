import { jsonBytes, type SessionRef, type SessionStore } from '@baton/core';
import { LIVE_SNAPSHOT_MAX_BYTES, type LiveSnapshot, type LiveStore } from '@baton/core/store';
import { describe, expect, it, type TestContext } from 'vitest';
import { answer, appendEvents, createSession, input, listAll } from './fixtures.js';
import { pendingAll } from './pending-cases.js';
import type { ConformanceContext } from './store-harness.js';

const MINUTE = 60_000;

/**
 * The live snapshot (core's LiveStore): one overwritable record per session, outside the log and
 * the head, last writer wins, gone once expired (by the store's clock), cleared or deleted with its
 * session, and cut to LIVE_SNAPSHOT_MAX_BYTES rather than refused. Runs when the store has `live`
 * (every Baton store has; a store without it skips these cases).
 */
export function describeLiveCases(ctx: ConformanceContext): void {
  /** The store's LiveStore, or the test is skipped for a store without one. */
  const liveOf = (test: TestContext): { store: SessionStore; live: LiveStore } => {
    const store = ctx.store();
    if (!store.live) test.skip('this store has no LiveStore');
    return { store, live: store.live! };
  };
  const snapshot = (text: string, patch: Partial<LiveSnapshot> = {}): LiveSnapshot => ({
    afterSeq: 2,
    runId: 'run-1',
    text,
    toolCalls: [],
    updatedAt: ctx.clock.now(),
    expiresAt: ctx.clock.now() + MINUTE,
    ...patch,
  });

  describe('live snapshots', () => {
    it('reads back what was written, every field as written', async (test) => {
      const { live } = liveOf(test);
      const ref = ctx.ref('live-roundtrip');
      expect(await live.read(ref)).toBeNull();
      const written = snapshot('Hé said "hi" 👋\n', {
        toolCalls: [
          { callId: 'call_1', name: 'lookup', arguments: '{"q":"kiwi"}' },
          { callId: 'call_2', name: 'charge', arguments: '{"amount":' },
        ],
      });
      await live.write(ref, written);
      expect(await live.read(ref)).toEqual(written);
    });

    it('replaces the snapshot on each write: the last writer wins', async (test) => {
      const { live } = liveOf(test);
      const ref = ctx.ref('live-overwrite');
      await live.write(ref, snapshot('Hel', { toolCalls: [{ callId: 'c', name: 'f', arguments: '{' }] }));
      const next = snapshot('Hello', { afterSeq: 5, runId: 'run-2', updatedAt: ctx.clock.now() + 1 });
      await live.write(ref, next);
      expect(await live.read(ref)).toEqual(next);
    });

    it('keeps sessions apart: another session or tenant reads null', async (test) => {
      const { live } = liveOf(test);
      const tenant = ctx.tenant('live-apart');
      const ref = { tenant, sessionId: 'doc' };
      await live.write(ref, snapshot('mine'));
      const others: SessionRef[] = [
        { tenant: ctx.tenant('live-other'), sessionId: 'doc' },
        ...['doc/1', 'doc#1', 'docs', 'do%', 'do_', 'dOc', 'do'].map((sessionId) => ({ tenant, sessionId })),
      ];
      for (const other of others) expect(await live.read(other), other.sessionId).toBeNull();
      expect(await live.read(ref)).toMatchObject({ text: 'mine' });
    });

    it('reads null from its expiresAt on, by the store clock, until written again', async (test) => {
      const { live } = liveOf(test);
      const ref = ctx.ref('live-expiry');
      await live.write(ref, snapshot('soon gone', { expiresAt: ctx.clock.now() + 1000 }));
      ctx.clock.advance(999);
      expect(await live.read(ref)).toMatchObject({ text: 'soon gone' });
      ctx.clock.advance(1);
      expect(await live.read(ref)).toBeNull();

      const again = snapshot('back');
      await live.write(ref, again);
      expect(await live.read(ref)).toEqual(again);
    });

    it('reads null after clear; clearing what is not there is not an error', async (test) => {
      const { live } = liveOf(test);
      const ref = ctx.ref('live-clear');
      await live.write(ref, snapshot('to clear'));
      await live.clear(ref);
      expect(await live.read(ref)).toBeNull();
      await live.clear(ref);
      await live.clear(ctx.ref('live-never'));
      expect(await live.read(ref)).toBeNull();
    });

    it('goes with its session: delete removes it, and the session created again has none', async (test) => {
      const { store, live } = liveOf(test);
      const ref = ctx.ref('live-delete');
      await createSession(store, ref, ctx.clock, [input('hi')], { patch: { status: 'running' } });
      await live.write(ref, snapshot('half an answ'));
      await store.delete(ref);
      expect(await live.read(ref)).toBeNull();
      await createSession(store, ref, ctx.clock, [input('again')]);
      expect(await live.read(ref)).toBeNull();
    });

    it('never touches the head, the log, list or listPending', async (test) => {
      const { store, live } = liveOf(test);
      const tenant = ctx.tenant('live-apart-from-log');
      const ref = ctx.ref('live-running', tenant);
      const created = await createSession(store, ref, ctx.clock, [input('hi')], {
        patch: { status: 'running' },
      });
      const written = await appendEvents(store, created.head, ctx.clock, [answer('partial')]);
      const before = {
        load: await store.load(ref),
        events: await store.readEvents(ref),
        list: await listAll(store, { tenant }),
      };
      expect(before.list.map((head) => head.sessionId)).toEqual([ref.sessionId]);

      // A session that has a snapshot and no head at all, in the same tenant.
      const headless = ctx.ref('live-headless', tenant);
      for (const [index, text] of ['p', 'pa', 'par'].entries()) {
        await live.write(ref, snapshot(text, { afterSeq: written.head.seq }));
        await live.write(headless, snapshot(`${text} ${index}`));
      }

      expect(await store.load(ref)).toEqual(before.load);
      expect(await store.readHead(ref)).toEqual(written.head);
      expect(await store.readEvents(ref)).toEqual(before.events);
      expect(await listAll(store, { tenant })).toEqual(before.list);
      expect(await store.readHead(headless)).toBeNull();
      expect(await store.load(headless)).toBeNull();
      expect(await store.readEvents(headless)).toEqual([]);
      const pending = (await pendingAll(store)).filter((head) => head.tenant === tenant);
      expect(pending).toEqual([written.head]);
      // The head commits on from the version it had: the snapshot took nothing of it.
      const next = await appendEvents(store, written.head, ctx.clock, [input('more')]);
      expect(next.head.version).toBe(created.head.version + 2);
    });

    it('leaves one of several racing writes, whole', async (test) => {
      const { live } = liveOf(test);
      const ref = ctx.ref('live-race');
      const writes = Array.from({ length: 8 }, (_, index) =>
        snapshot(String(index).repeat(8000 + index), {
          runId: `run-${index}`,
          toolCalls: [{ callId: `call_${index}`, name: 'f', arguments: `{"n":${index}}` }],
        }),
      );
      await Promise.all(writes.map((one) => live.write(ref, one)));
      const stored = await live.read(ref);
      expect(writes).toContainEqual(stored);
    });

    it('keeps a watch apart from the snapshot, per session, until it passes, and drops it with the session', async (test) => {
      const { store, live } = liveOf(test);
      if (!live.watch || !live.watchedUntil) test.skip('this store has no live watches');
      const ref = ctx.ref('live-watch');
      await createSession(store, ref, ctx.clock, [input('hi')], { patch: { status: 'running' } });
      expect(await live.watchedUntil!(ref)).toBeNull();
      const until = ctx.clock.now() + 15_000;
      await live.watch!(ref, until);
      expect(await live.watchedUntil!(ref)).toBe(until);
      expect(await live.watchedUntil!(ctx.ref('live-watch-other'))).toBeNull();
      expect(
        await live.watchedUntil!({ tenant: ctx.tenant('live-watch-t'), sessionId: ref.sessionId }),
      ).toBeNull();
      // The runner's snapshot writes and clears leave it; the snapshot stays readable beside it.
      await live.write(ref, snapshot('Hel'));
      await live.clear(ref);
      await live.write(ref, snapshot('Hello'));
      expect(await live.watchedUntil!(ref)).toBe(until);
      expect(await live.read(ref)).toMatchObject({ text: 'Hello' });
      // A renewal replaces it; it reads null from its until on.
      await live.watch!(ref, until + 5_000);
      expect(await live.watchedUntil!(ref)).toBe(until + 5_000);
      ctx.clock.advance(19_999);
      expect(await live.watchedUntil!(ref)).toBe(until + 5_000);
      ctx.clock.advance(1);
      expect(await live.watchedUntil!(ref)).toBeNull();
      // Gone with its session.
      await live.watch!(ref, ctx.clock.now() + 15_000);
      await store.delete(ref);
      await createSession(store, ref, ctx.clock, [input('again')]);
      expect(await live.watchedUntil!(ref)).toBeNull();
      expect(await live.read(ref)).toBeNull();
    });

    it(`keeps a 100 KB snapshot whole and stores a larger one cut to ${LIVE_SNAPSHOT_MAX_BYTES} bytes`, async (test) => {
      const { live } = liveOf(test);
      const ref = ctx.ref('live-large');
      const args = `{"code":${JSON.stringify('x = "ü"\n'.repeat(2000))}}`;
      const large = snapshot('Tokens, '.repeat(12_800), {
        toolCalls: [{ callId: 'call_big', name: 'write_file', arguments: args }],
      });
      expect(jsonBytes(large)).toBeGreaterThan(100 * 1024);
      await live.write(ref, large);
      expect(await live.read(ref)).toEqual(large);

      // A megabyte of multi-byte text: past a DynamoDB item, written all the same.
      const text = 'Ω "quoted"\n 😀 '.repeat(70_000);
      const huge = snapshot(text, { toolCalls: [{ callId: 'call_1', name: 'f', arguments: '{}' }] });
      await live.write(ref, huge);
      const stored = await live.read(ref);
      expect(stored).not.toBeNull();
      const { text: kept, toolCalls, ...rest } = stored!;
      const { text: _text, toolCalls: _calls, ...written } = huge;
      expect(rest).toEqual(written);
      expect(text.startsWith(kept)).toBe(true);
      if (kept !== text) {
        expect(jsonBytes(stored)).toBeLessThanOrEqual(LIVE_SNAPSHOT_MAX_BYTES);
        expect(jsonBytes(stored)).toBeGreaterThan(LIVE_SNAPSHOT_MAX_BYTES - 64);
        expect(toolCalls).toEqual([]);
      } else {
        expect(toolCalls).toEqual(huge.toolCalls);
      }
    });
  });
}
