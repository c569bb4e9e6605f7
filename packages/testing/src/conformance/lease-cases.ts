import { ConflictError, FencedError, LeaseHeldError, type SessionRef, type SessionStore } from '@baton/core';
import {
  acquireLease,
  appendInput,
  type Head,
  type LeaseOptions,
  SessionWriter,
  UnreadInputError,
} from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { answer, createSession, input, nextHead, numberEvents, rejection, stored } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

const LEASE_MS = 30_000;

/**
 * The lease as the product runs it: `acquireLease` takes it (as runSession does), the holder's
 * SessionWriter renews it with `ensureLease` and its commits and hands it back with `release`, and
 * non-holders append with `appendInput` (as Baton.submit does). Certifying a store here certifies
 * the one-writer guarantee on that store.
 */
export function describeLeaseCases(ctx: ConformanceContext): void {
  const lease = (owner: string): LeaseOptions => ({ owner, clock: ctx.clock, leaseMs: LEASE_MS });
  const holder = (store: SessionStore, ref: SessionRef, held: Head) =>
    new SessionWriter(store, ref, held, ctx.clock, LEASE_MS);
  const appendAsTrigger = (store: SessionStore, ref: SessionRef, text: string) =>
    appendInput({ store, clock: ctx.clock }, ref, input(text), { agent: 'conformance-agent' });

  describe('leases', () => {
    it('grants the lease to one owner and refuses another while it is live', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-live');
      await createSession(store, ref, ctx.clock, [input('hi')]);

      const held = await acquireLease(store, ref, lease('worker-a'));
      expect(held.lease).toEqual({ owner: 'worker-a', expiresAt: ctx.clock.now() + LEASE_MS, epoch: 1 });
      expect(held.status).toBe('running');
      expect(await store.readHead(ref)).toEqual(held);

      ctx.clock.advance(LEASE_MS - 1);
      await rejection(acquireLease(store, ref, lease('worker-b')), LeaseHeldError);
      expect(await store.readHead(ref)).toEqual(held);
    });

    it('extends the expiry when the holder renews, and writes nothing while enough remains', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-renew');
      await createSession(store, ref, ctx.clock, [input('hi')]);
      const held = await acquireLease(store, ref, lease('worker-a'));
      const writer = holder(store, ref, held);

      await writer.ensureLease(LEASE_MS / 2);
      expect(await store.readHead(ref)).toEqual(held);

      ctx.clock.advance(20_000);
      await writer.ensureLease(LEASE_MS);
      const renewed = writer.head;
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
      const writerA = holder(store, ref, heldA);

      ctx.clock.advance(LEASE_MS + 1);
      const heldB = await acquireLease(store, ref, lease('worker-b'));
      expect(heldB.lease).toEqual({ owner: 'worker-b', expiresAt: ctx.clock.now() + LEASE_MS, epoch: 2 });
      expect(heldB.leaseEpoch).toBe(2);

      await rejection(writerA.ensureLease(LEASE_MS), FencedError);
      await rejection(writerA.commit({ events: [answer('too late')] }), FencedError);
      // And at the store itself: the stale head's version no longer matches.
      const at = ctx.clock.now();
      const late = numberEvents([answer('too late')], heldA.seq + 1, at);
      await rejection(
        store.commit({ ref, expectedVersion: heldA.version, head: nextHead(heldA, late, at), events: late }),
        ConflictError,
      );
      expect(await stored(store, ref)).toEqual({ head: heldB, events: created.events });
    });

    it('lands a step on top of input appended meanwhile, then refuses release without writing', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-unread');
      await createSession(store, ref, ctx.clock, [input('q1')]);
      const writer = holder(store, ref, await acquireLease(store, ref, lease('worker-a')));
      // Another invocation finds the lease held and appends its input.
      await appendAsTrigger(store, ref, 'q2');

      await writer.commit({ events: [answer('a1')] });
      const fresh = await store.readHead(ref);
      expect(fresh).toEqual(writer.head);
      expect(fresh).toMatchObject({ seq: 3, lastInputSeq: 2, processedSeq: 1, lease: { owner: 'worker-a' } });
      expect(writer.behind).toBe(true);

      await rejection(writer.release('idle'), UnreadInputError);
      expect(await store.readHead(ref)).toEqual(fresh);
    });

    it('refuses release with UnreadInputError when input was committed after the holder read the head', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-race');
      await createSession(store, ref, ctx.clock, [input('q1')]);
      const writer = holder(store, ref, await acquireLease(store, ref, lease('worker-a')));
      await writer.commit({ events: [answer('a1')] });
      expect(writer.behind).toBe(false);
      await appendAsTrigger(store, ref, 'q2');
      const interloper = await store.readHead(ref);

      // The holder's own view shows nothing unread, so only the conditional commit can catch the race.
      await rejection(writer.release('idle'), UnreadInputError);
      expect(await store.readHead(ref)).toEqual(interloper);
      expect(writer.behind).toBe(true);

      // It drains what it missed, answers, and then the release lands.
      const missed = await store.readEvents(ref, { afterSeq: writer.readThrough });
      expect(missed.map((event) => event.seq)).toEqual([3]);
      writer.caughtUp(3);
      await writer.commit({ events: [answer('a2')] });
      await writer.release('idle');
      const released = writer.head;
      expect(released).toMatchObject({ lease: null, status: 'idle', processedSeq: 4, lastInputSeq: 3 });
      expect(await store.readHead(ref)).toEqual(released);
    });

    it('releases a drained lease so another owner acquires at once with a higher epoch', async () => {
      const store = ctx.store();
      const ref = ctx.ref('lease-release');
      await createSession(store, ref, ctx.clock, [input('q1')]);
      const writer = holder(store, ref, await acquireLease(store, ref, lease('worker-a')));

      await writer.release('idle', [answer('a1')]);
      const released = writer.head;
      expect(released).toMatchObject({ lease: null, leaseEpoch: 1, status: 'idle', seq: 2, lastInputSeq: 1 });
      expect(await store.readHead(ref)).toEqual(released);

      const next = await acquireLease(store, ref, lease('worker-b'));
      expect(next.lease).toMatchObject({ owner: 'worker-b', epoch: 2 });
      await rejection(writer.ensureLease(LEASE_MS), FencedError);
    });
  });
}
