import {
  acquireLease,
  ConflictError,
  FencedError,
  LeaseHeldError,
  type LeaseOptions,
  releaseLease,
  renewLease,
  UnreadInputError,
} from '@baton/core';
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

const LEASE_MS = 30_000;

export function describeLeaseCases(ctx: ConformanceContext): void {
  const lease = (owner: string): LeaseOptions => ({ owner, clock: ctx.clock, leaseMs: LEASE_MS });

  describe('leases', () => {
    it('grants the lease to one owner and refuses another while it is live', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-live');
      await createSession(store, ref, ctx.clock, [input('hi')]);

      const held = await acquireLease(store, ref, lease('worker-a'));
      expect(held.lease).toEqual({ owner: 'worker-a', expiresAt: ctx.clock.now() + LEASE_MS, epoch: 1 });
      expect(await store.readHead(ref)).toEqual(held);

      ctx.clock.advance(LEASE_MS - 1);
      await rejection(acquireLease(store, ref, lease('worker-b')), LeaseHeldError);
      expect(await store.readHead(ref)).toEqual(held);
    });

    it('extends the expiry when the holder renews', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-renew');
      await createSession(store, ref, ctx.clock, [input('hi')]);
      const held = await acquireLease(store, ref, lease('worker-a'));

      ctx.clock.advance(20_000);
      const renewed = await renewLease(store, held, lease('worker-a'));
      expect(renewed.lease).toEqual({ owner: 'worker-a', expiresAt: ctx.clock.now() + LEASE_MS, epoch: 1 });
      expect(renewed.version).toBe(held.version + 1);
      expect(await store.readHead(ref)).toEqual(renewed);

      // Past the first expiry, but not the renewed one.
      ctx.clock.advance(LEASE_MS - 1);
      await rejection(acquireLease(store, ref, lease('worker-b')), LeaseHeldError);
    });

    it('lets another owner take over an expired lease and fences the stale holder', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-takeover');
      const created = await createSession(store, ref, ctx.clock, [input('hi')]);
      const heldA = await acquireLease(store, ref, lease('worker-a'));

      ctx.clock.advance(LEASE_MS + 1);
      const heldB = await acquireLease(store, ref, lease('worker-b'));
      expect(heldB.lease).toEqual({ owner: 'worker-b', expiresAt: ctx.clock.now() + LEASE_MS, epoch: 2 });
      expect(heldB.leaseEpoch).toBe(2);

      await rejection(renewLease(store, heldA, lease('worker-a')), FencedError);
      const at = ctx.clock.now();
      const late = numberEvents([answer('too late')], heldA.seq + 1, at);
      await rejection(
        store.commit({ ref, expectedVersion: heldA.version, head: nextHead(heldA, late, at), events: late }),
        ConflictError,
      );
      expect(await stored(store, ref)).toEqual({ head: heldB, events: created.events });
    });

    it('refuses release with UnreadInputError when the head shows input the holder has not read', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-unread');
      await createSession(store, ref, ctx.clock, [input('q1')]);
      const held = await acquireLease(store, ref, lease('worker-a'));
      const worked = await appendEvents(store, held, ctx.clock, [answer('a1')], {
        patch: { processedSeq: 2 },
      });
      // Another invocation finds the lease held and appends its input.
      await appendEvents(store, worked.head, ctx.clock, [input('q2')]);
      const fresh = await store.readHead(ref);
      expect(fresh).toMatchObject({ lastInputSeq: 3, processedSeq: 2, lease: { owner: 'worker-a' } });

      await rejection(
        releaseLease(store, fresh!, { ...lease('worker-a'), status: 'idle' }),
        UnreadInputError,
      );
      expect(await store.readHead(ref)).toEqual(fresh);
    });

    it('refuses release with ConflictError when input was committed after the holder read the head', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-race');
      await createSession(store, ref, ctx.clock, [input('q1')]);
      const held = await acquireLease(store, ref, lease('worker-a'));
      const worked = await appendEvents(store, held, ctx.clock, [answer('a1')], {
        patch: { processedSeq: 2 },
      });
      const interloper = await appendEvents(store, worked.head, ctx.clock, [input('q2')]);

      // The holder's own view shows nothing unread, so only the conditional commit can catch the race.
      await rejection(
        releaseLease(store, worked.head, { ...lease('worker-a'), status: 'idle' }),
        ConflictError,
      );
      expect(await store.readHead(ref)).toEqual(interloper.head);

      const drained = await appendEvents(store, interloper.head, ctx.clock, [answer('a2')], {
        patch: { processedSeq: 4 },
      });
      const released = await releaseLease(store, drained.head, { ...lease('worker-a'), status: 'idle' });
      expect(released).toMatchObject({ lease: null, status: 'idle', processedSeq: 4, lastInputSeq: 3 });
      expect(await store.readHead(ref)).toEqual(released);
    });

    it('releases a drained lease so another owner acquires at once with a higher epoch', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-release');
      await createSession(store, ref, ctx.clock, [input('q1')]);
      const held = await acquireLease(store, ref, lease('worker-a'));
      const worked = await appendEvents(store, held, ctx.clock, [answer('a1')], {
        patch: { processedSeq: 2 },
      });

      const released = await releaseLease(store, worked.head, { ...lease('worker-a'), status: 'idle' });
      expect(released).toMatchObject({ lease: null, leaseEpoch: 1, status: 'idle' });
      expect(await store.readHead(ref)).toEqual(released);

      const next = await acquireLease(store, ref, lease('worker-b'));
      expect(next.lease).toMatchObject({ owner: 'worker-b', epoch: 2 });
      await rejection(renewLease(store, worked.head, lease('worker-a')), FencedError);
    });
  });
}
