import type { Head, SessionStatus } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { appendEvents, createSession, input, listAll } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

function byId(heads: Head[]): Head[] {
  return [...heads].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
}

export function describeListCases(ctx: ConformanceContext): void {
  async function seed(tenant: string, statuses: SessionStatus[]): Promise<Head[]> {
    const heads: Head[] = [];
    for (const [index, status] of statuses.entries()) {
      // Half the sessions share one updatedAt, so a page boundary falls inside a tie.
      if (index % 2 === 1) ctx.clock.advance(1);
      const ref = ctx.ref(`list-${index}`, tenant);
      heads.push(
        (await createSession(ctx.store(), ref, ctx.clock, [input('hi')], { patch: { status } })).head,
      );
    }
    return heads;
  }

  describe('list', () => {
    it('returns every session of a tenant exactly once across pages', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('list-pages');
      const heads = await seed(tenant, [
        'idle',
        'running',
        'idle',
        'running',
        'idle',
        'waiting_approval',
        'idle',
      ]);
      await seed(ctx.tenant('list-pages-other'), ['idle', 'running']);

      for (const limit of [1, 2, 3, 7, 100]) {
        expect(byId(await listAll(store, { tenant, limit }))).toEqual(byId(heads));
      }
      expect(byId(await listAll(store, { tenant }))).toEqual(byId(heads));
    });

    it('returns only sessions of the status asked for when a tenant and a status are given', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('list-status');
      const heads = await seed(tenant, ['idle', 'running', 'running', 'idle', 'running', 'failed']);
      await seed(ctx.tenant('list-status-other'), ['running']);

      const running = heads.filter((head) => head.status === 'running');
      expect(byId(await listAll(store, { tenant, status: 'running', limit: 2 }))).toEqual(byId(running));
      expect(await listAll(store, { tenant, status: 'failed' })).toEqual([heads[5]]);
      expect(await listAll(store, { tenant, status: 'waiting_approval', limit: 2 })).toEqual([]);
    });

    it('returns sessions of every tenant when only a status is given', async () => {
      const store = ctx.store();
      const [first] = await seed(ctx.tenant('list-any-a'), ['waiting_approval', 'idle']);
      const [second] = await seed(ctx.tenant('list-any-b'), ['waiting_approval']);

      const listed = await listAll(store, { status: 'waiting_approval', limit: 10 });
      expect(listed.every((head) => head.status === 'waiting_approval')).toBe(true);
      const mine = listed.filter((head) => head.tenant === first!.tenant || head.tenant === second!.tenant);
      expect(byId(mine)).toEqual(byId([first!, second!]));
    });

    it('lists an updated session once, as it is now, when its status changed', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('list-update');
      const heads = await seed(tenant, ['running', 'running', 'running']);
      ctx.clock.advance(10);
      const updated = await appendEvents(store, heads[1]!, ctx.clock, [input('done')], {
        patch: { status: 'idle' },
      });

      expect(byId(await listAll(store, { tenant, limit: 1 }))).toEqual(
        byId([heads[0]!, updated.head, heads[2]!]),
      );
      expect(byId(await listAll(store, { tenant, status: 'running', limit: 1 }))).toEqual(
        byId([heads[0]!, heads[2]!]),
      );
      expect(await listAll(store, { tenant, status: 'idle' })).toEqual([updated.head]);
    });
  });
}
