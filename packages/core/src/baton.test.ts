import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';
import type { Identity } from './auth/identity.js';
import { BatonError, PayloadTooLargeError, SessionNotFoundError, ValidationError } from './errors.js';
import { sessionRef } from './session-ref.js';

/** Decides as an API key of the test tenant that holds approve (the default approver policy). */
const approver: Identity = { tenant: 'acme', user: 'key:approver', scopes: ['approve'], via: 'api_key' };

describe('Baton.submit', () => {
  it('records one input and answers the same for a repeated dedupe key', async () => {
    const t = kit([reply('ok')]);
    const first = await t.baton.submit(t.ref, { text: 'hi', source: 'http', dedupeKey: 'k1' });
    const second = await t.baton.submit(t.ref, { text: 'hi', source: 'http', dedupeKey: 'k1' });
    expect(first).toEqual({ session: t.ref, inputSeq: 1, duplicate: false });
    expect(second).toEqual({ session: t.ref, inputSeq: 1, duplicate: true });
    expect(kinds(await t.store.readEvents(t.ref))).toEqual(['input']);
    // The duplicate enqueues again so a client retrying after a failed enqueue never strands its input.
    expect(t.queue.messages.map((m) => m.message.dedupeKey)).toEqual([
      'input:acme/session-1:1',
      'input:acme/session-1:1',
    ]);
  });

  it('rejects empty, oversized and unknown-agent input without writing', async () => {
    const t = kit([]);
    await expect(t.baton.submit(t.ref, { text: '   ', source: 'http' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(t.baton.submit(t.ref, { text: 'x'.repeat(70_000), source: 'http' })).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    await expect(
      t.baton.submit(t.ref, { text: 'hi', source: 'http', agent: 'nobody' }),
    ).rejects.toMatchObject({
      code: 'unknown_agent',
    });
    expect(await t.store.readHead(t.ref)).toBeNull();
    expect(t.queue.messages).toHaveLength(0);
  });

  it('processes 20 concurrent inputs exactly once in one linear order', async () => {
    const t = kit((request) => reply(`seen ${request.messages.filter((m) => m.role === 'user').length}`));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.baton
          .submit(t.ref, { text: `message ${i}`, source: 'http' })
          .then(() => t.baton.run(t.ref, { deadline: t.later() })),
      ),
    );
    // Whatever was left busy is drained by the queued messages.
    t.clock.advance(60_000);
    await t.baton.run(t.ref, { deadline: t.later() });
    const events = await t.store.readEvents(t.ref);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const inputs = events.filter((e) => e.kind === 'input').map((e) => (e.kind === 'input' ? e.text : ''));
    expect(new Set(inputs).size).toBe(20);
    expect(inputs).toHaveLength(20);
    const lastCall = t.model.calls.at(-1)!;
    expect(lastCall.messages.filter((m) => m.role === 'user')).toHaveLength(20);
    expect(await t.store.readHead(t.ref)).toMatchObject({ status: 'idle', lease: null });
  });
});

describe('Baton.decide', () => {
  it('answers specific errors for unknown sessions, unknown calls and second decisions', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]), reply('ok')]);
    await expect(
      t.baton.decide(sessionRef('acme', 'nope'), { callId: 'e1', approved: true, identity: approver }),
    ).rejects.toBeInstanceOf(SessionNotFoundError);
    await t.baton.submit(t.ref, { text: 'email', source: 'http' });
    await t.baton.run(t.ref, { deadline: t.later() });
    await expect(
      t.baton.decide(t.ref, { callId: 'zzz', approved: true, identity: approver }),
    ).rejects.toMatchObject({
      code: 'no_pending_approval',
      status: 404,
    });
    await expect(
      t.baton.decide(t.ref, { callId: 'e1', approved: 'yes' as unknown as boolean, identity: approver }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver })).toEqual({
      duplicate: false,
    });
    expect(await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver })).toEqual({
      duplicate: true,
    });
    await expect(
      t.baton.decide(t.ref, { callId: 'e1', approved: false, identity: approver }),
    ).rejects.toBeInstanceOf(BatonError);
    expect(kinds(await t.store.readEvents(t.ref)).filter((k) => k === 'decision')).toHaveLength(1);
  });
});

describe('Baton.sweep', () => {
  it('re-enqueues sessions with pending work and no live lease', async () => {
    const t = kit([reply('ok')]);
    await t.baton.submit(t.ref, { text: 'hi', source: 'http' });
    t.queue.messages.length = 0; // as if the enqueue after the commit had failed
    expect(await t.baton.sweep({ idleForMs: 60_000 })).toBe(0);
    t.clock.advance(61_000);
    expect(await t.baton.sweep({ idleForMs: 60_000 })).toBe(1);
    expect(t.queue.messages[0]?.message).toMatchObject({ reason: 'retry', sessionId: 'session-1' });
  });

  it('re-enqueues a session waiting for approval once a decision arrived that no run read', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]), reply('ok')]);
    await t.baton.submit(t.ref, { text: 'email', source: 'http' });
    await t.baton.run(t.ref, { deadline: t.later() });
    t.clock.advance(61_000);
    t.queue.messages.length = 0;
    expect(await t.baton.sweep()).toBe(0);
    await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver });
    t.queue.messages.length = 0; // as if the enqueue after the decision had failed
    t.clock.advance(61_000);
    expect(await t.baton.sweep()).toBe(1);
    // A client retrying the decision gets "duplicate" and the run is enqueued again too.
    expect(await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver })).toEqual({
      duplicate: true,
    });
    expect(t.queue.messages.map((m) => m.message.reason)).toEqual(['retry', 'decision']);
  });
});

describe('Baton.recordFailure', () => {
  it('records the reason once and marks the session failed when no run holds it', async () => {
    const t = kit([reply('ok')]);
    await t.baton.submit(t.ref, { text: 'hi', source: 'http' });
    const failure = { code: 'poison', message: 'delivered 5 times', dedupeKey: 'failure:m1' };
    expect(await t.baton.recordFailure(t.ref, failure)).toBe('recorded');
    expect(await t.baton.recordFailure(t.ref, failure)).toBe('duplicate');
    expect(await t.baton.recordFailure(sessionRef('acme', 'ghost'), failure)).toBe('no_session');
    expect(kinds(await t.store.readEvents(t.ref))).toEqual(['input', 'error', 'run_finished']);
    expect(await t.store.readHead(t.ref)).toMatchObject({ status: 'failed', lease: null });
    // The message is kept to what an error event should hold.
    await t.baton.recordFailure(t.ref, { ...failure, dedupeKey: 'failure:m2', message: 'x'.repeat(10_000) });
    const long = (await t.store.readEvents(t.ref)).at(-2);
    expect(long?.kind === 'error' && long.message.length).toBe(2000);
    // New input starts afresh.
    await t.baton.submit(t.ref, { text: 'again', source: 'http' });
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('finished');
  });
});

describe('Baton.recordFailure while a run holds the lease', () => {
  it('appends only the error and leaves the lease to its holder', async () => {
    const t = kit([reply('ok')]);
    await t.baton.submit(t.ref, { text: 'hi', source: 'http' });
    const { acquireLease } = await import('./lease.js');
    const held = await acquireLease(t.store, t.ref, { owner: 'worker-1', clock: t.clock, leaseMs: 30_000 });
    expect(await t.baton.recordFailure(t.ref, { code: 'x', message: 'y', dedupeKey: 'f1' })).toBe('recorded');
    expect(await t.store.readHead(t.ref)).toMatchObject({ status: 'running', lease: held.lease, seq: 2 });
    expect(kinds(await t.store.readEvents(t.ref))).toEqual(['input', 'error']);
  });
});

describe('Baton.converse', () => {
  it('answers after waitMs while the run goes on, and the run still finishes', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const t = kit(async () => {
      await gate;
      return reply('slow answer');
    });
    const early = await t.baton.converse(
      t.ref,
      { text: 'hi', source: 'http' },
      { deadline: t.later(), waitMs: 10 },
    );
    expect(early).toMatchObject({ state: 'running', reply: null });
    release();
    // The background run commits on its own; poll the store, not the clock.
    for (let i = 0; i < 100 && (await t.store.readHead(t.ref))?.status !== 'idle'; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await t.baton.answer(t.ref, early.submit)).toMatchObject({
      state: 'finished',
      reply: 'slow answer',
    });
  });
});
