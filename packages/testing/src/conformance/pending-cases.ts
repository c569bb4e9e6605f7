import type { EventBody, Head, SessionRef, SessionStore } from '@baton/core';
import { hasPendingWork } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { answer, appendEvents, createSession, input } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

const key = (ref: SessionRef) => `${ref.tenant}/${ref.sessionId}`;

/** Every head listPending returns over all its pages; fails on a repeat or an endless cursor. */
export async function pendingAll(store: SessionStore, limit?: number): Promise<Head[]> {
  const heads: Head[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.listPending({
      ...(limit === undefined ? {} : { limit }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (limit !== undefined) expect(result.sessions.length).toBeLessThanOrEqual(limit);
    for (const head of result.sessions) {
      expect(seen.has(key(head)), `${key(head)} listed twice`).toBe(false);
      seen.add(key(head));
      // The pending index holds nothing else, whatever other tests left in the store.
      expect(hasPendingWork(head), `${key(head)} (${head.status}) has no pending work`).toBe(true);
    }
    heads.push(...result.sessions);
    if (result.cursor === undefined) return heads;
    expect(result.cursor).not.toBe(cursor);
    cursor = result.cursor;
  }
  throw new Error('listPending returned a cursor on 1000 pages in a row');
}

/** Which of `refs` listPending shows now, as "tenant/id" keys, sorted. */
async function pendingOf(store: SessionStore, refs: SessionRef[], limit?: number): Promise<string[]> {
  const wanted = new Set(refs.map(key));
  const listed = await pendingAll(store, limit);
  return listed
    .map(key)
    .filter((name) => wanted.has(name))
    .sort();
}

const interrupt: EventBody = { kind: 'interrupt', reason: 'approval', callIds: ['call_1'] };
const decision: EventBody = { kind: 'decision', callId: 'call_1', approved: true, by: 'U1' };

export function describePendingCases(ctx: ConformanceContext): void {
  describe('listPending', () => {
    it('shows a session exactly while it has pending work: input, run, settle', async () => {
      const store = ctx.store();
      const ref = ctx.ref('pending-run', ctx.tenant('pending-run'));
      const created = await createSession(store, ref, ctx.clock);
      expect(await pendingOf(store, [ref])).toEqual([]);

      ctx.clock.advance(1);
      const withInput = await appendEvents(store, created.head, ctx.clock, [input('hi')], {
        patch: { status: 'running' },
      });
      expect(await pendingOf(store, [ref])).toEqual([key(ref)]);

      ctx.clock.advance(1);
      const leased = await appendEvents(store, withInput.head, ctx.clock, [], {
        patch: {
          lease: { owner: 'worker-1', expiresAt: ctx.clock.now() + 60_000, epoch: 1 },
          leaseEpoch: 1,
          processedSeq: withInput.head.lastInputSeq,
        },
      });
      // Running under a live lease is still pending work: the sweeper decides to skip it, not the index.
      expect(await pendingOf(store, [ref])).toEqual([key(ref)]);
      const listed = (await pendingAll(store)).find((head) => key(head) === key(ref));
      expect(listed).toEqual(leased.head);

      ctx.clock.advance(1);
      await appendEvents(store, leased.head, ctx.clock, [answer('done')], {
        patch: { status: 'idle', lease: null },
      });
      expect(await pendingOf(store, [ref])).toEqual([]);
    });

    it('shows a waiting session only once a decision arrived that no run has read', async () => {
      const store = ctx.store();
      const ref = ctx.ref('pending-wait', ctx.tenant('pending-wait'));
      const running = await createSession(store, ref, ctx.clock, [input('charge it')], {
        patch: { status: 'running' },
      });
      ctx.clock.advance(1);
      const waiting = await appendEvents(store, running.head, ctx.clock, [interrupt], {
        patch: { status: 'waiting_approval', processedSeq: running.head.lastInputSeq },
      });
      expect(await pendingOf(store, [ref])).toEqual([]);

      ctx.clock.advance(1);
      const decided = await appendEvents(store, waiting.head, ctx.clock, [decision]);
      expect(decided.head.status).toBe('waiting_approval');
      expect(await pendingOf(store, [ref])).toEqual([key(ref)]);

      ctx.clock.advance(1);
      await appendEvents(store, decided.head, ctx.clock, [answer('charged')], {
        patch: { status: 'idle', processedSeq: decided.head.lastInputSeq },
      });
      expect(await pendingOf(store, [ref])).toEqual([]);
    });

    it('shows a parent waiting for its child agent once its result or input is unread, and keeps the child link', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('pending-child');
      const parent = ctx.ref('pending-parent', tenant);
      const child = ctx.ref('agent:researcher:pending', tenant);
      const running = await createSession(store, parent, ctx.clock, [input('research it')], {
        patch: { status: 'running' },
      });
      ctx.clock.advance(1);
      const intent: EventBody = {
        kind: 'tool_intent',
        callId: 'call_1',
        name: 'researcher',
        child: child.sessionId,
      };
      const waiting = await appendEvents(store, running.head, ctx.clock, [intent], {
        patch: { status: 'waiting_child', processedSeq: running.head.lastInputSeq },
      });
      expect(await pendingOf(store, [parent])).toEqual([]);
      const link = { sessionId: parent.sessionId, callId: 'call_1', responseSeq: 2, depth: 1 };
      const started = await createSession(store, child, ctx.clock, [input('find facts')], {
        patch: { status: 'running', parent: link },
      });
      ctx.clock.advance(1);
      const finished = await appendEvents(store, started.head, ctx.clock, [answer('facts')], {
        patch: { status: 'idle', processedSeq: 1, parent: { ...link, resultSeq: 2 } },
      });
      expect(await store.readHead(child)).toEqual(finished.head);
      expect((await store.readEvents(parent)).at(-1)).toMatchObject({ child: child.sessionId });

      ctx.clock.advance(1);
      const more = await appendEvents(store, waiting.head, ctx.clock, [input('and also')]);
      expect(more.head.status).toBe('waiting_child');
      expect(await pendingOf(store, [parent, child])).toEqual([key(parent)]);
    });

    it('never shows idle or failed sessions, nor a deleted one', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('pending-settled');
      const idle = ctx.ref('pending-idle', tenant);
      const failed = ctx.ref('pending-failed', tenant);
      const deleted = ctx.ref('pending-deleted', tenant);
      await createSession(store, idle, ctx.clock, [input('hi'), answer('hello')], {
        patch: { status: 'idle', processedSeq: 1 },
      });
      // A failed run leaves its input unread; the session waits for new input, not for a sweep.
      await createSession(store, failed, ctx.clock, [input('hi')], { patch: { status: 'failed' } });
      await createSession(store, deleted, ctx.clock, [input('hi')], { patch: { status: 'running' } });
      expect(await pendingOf(store, [idle, failed, deleted])).toEqual([key(deleted)]);

      await store.delete(deleted);
      expect(await pendingOf(store, [idle, failed, deleted])).toEqual([]);
    });

    it('returns every pending session exactly once across pages, across tenants', async () => {
      const store = ctx.store();
      const refs: SessionRef[] = [];
      for (const [index, tenant] of [ctx.tenant('pending-a'), ctx.tenant('pending-b')].entries()) {
        for (let n = 0; n < 4; n++) {
          // Pairs share one updatedAt, so a page boundary falls inside a tie.
          if (n % 2 === 1) ctx.clock.advance(1);
          const ref = ctx.ref(`pending-page-${index}-${n}`, tenant);
          await createSession(store, ref, ctx.clock, [input('hi')], { patch: { status: 'running' } });
          refs.push(ref);
          await createSession(store, ctx.ref(`pending-quiet-${index}-${n}`, tenant), ctx.clock);
        }
      }
      const expected = refs.map(key).sort();
      for (const limit of [1, 2, 3, 100]) expect(await pendingOf(store, refs, limit)).toEqual(expected);
      expect(await pendingOf(store, refs)).toEqual(expected);
    });
  });
}
