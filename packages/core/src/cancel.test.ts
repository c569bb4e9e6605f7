import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { cancelKit, canceller, ticking, until } from '../test/cancel-kit.js';
import { kinds } from '../test/kit.js';
import { type BatonError, SessionNotFoundError } from './errors.js';
import type { SessionEvent } from './events.js';
import { parseEvents, parseHead } from './migrate.js';
import { eventRecords, headRecord } from './record-codec.js';
import { sessionRef } from './session-ref.js';

const ask = { text: 'think about it', source: 'test' };

function finishedReasons(events: SessionEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'run_finished' ? [event.reason] : []));
}

describe('cancel during a model call', () => {
  it('aborts the call at once in the same process and ends the run cancelled, with no further call', async () => {
    const t = cancelKit([reply('never')], { hang: [0] });
    const submit = await t.baton.submit(t.ref, ask);
    const running = t.baton.run(t.ref, { deadline: t.later() });
    await until(() => t.calls.length === 1);
    const result = await t.baton.cancel(t.ref, { identity: canceller, reason: 'changed my mind' });
    expect(result).toEqual({ cancelled: true, duplicate: false, seq: 2 });
    expect((await running).kind).toBe('cancelled');
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.aborted).toBe(true);
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual(['input', 'cancel', 'run_finished']);
    expect(events[1]).toMatchObject({ by: 'key:ops', via: 'api_key', reason: 'changed my mind' });
    expect(finishedReasons(events)).toEqual(['cancelled']);
    expect((await t.baton.session(t.ref)).status).toBe('idle');
    expect((await t.baton.answer(t.ref, submit)).state).toBe('cancelled');
  });

  it('is seen from another invocation by the next read of the head, cancelCheckMs later', async () => {
    const t = cancelKit([reply('never')], { hang: [0], cancelCheckMs: 1_000 });
    await t.baton.submit(t.ref, ask);
    const running = t.baton.run(t.ref, { deadline: t.later() });
    await until(() => t.calls.length === 1);
    await t.other.cancel(t.ref, { identity: canceller });
    await t.clock.tick(999);
    expect(t.calls[0]!.aborted).toBe(false);
    t.reset();
    await t.clock.tick(1);
    expect((await running).kind).toBe('cancelled');
    expect(t.calls[0]!.aborted).toBe(true);
    // One read saw the cancel; the run then read the head and the events it missed, and wrote once.
    expect(t.reset()).toMatchObject({ reads: 3, writes: 1 });
    expect(finishedReasons(await t.store.readEvents(t.ref))).toEqual(['cancelled']);
  });

  it('is seen by the heartbeat (a third of the lease) when the run reads nothing between beats', async () => {
    const t = cancelKit([reply('never')], { hang: [0], cancelCheckMs: 0 });
    await t.baton.submit(t.ref, ask);
    const running = t.baton.run(t.ref, { deadline: t.later() });
    await until(() => t.calls.length === 1);
    await t.other.cancel(t.ref, { identity: canceller });
    t.reset();
    await t.clock.tick(4_999);
    expect(t.calls[0]!.aborted).toBe(false);
    expect(t.reset().reads).toBe(0);
    expect((await ticking(t.clock, running)).kind).toBe('cancelled');
    expect(t.calls[0]!.aborted).toBe(true);
  });

  it('answers input queued after the cancel as usual, and only that input', async () => {
    const t = cancelKit([reply('never'), reply('Here is B.')], { hang: [0] });
    const first = await t.baton.submit(t.ref, { text: 'A', source: 'test' });
    const running = t.baton.run(t.ref, { deadline: t.later() });
    await until(() => t.calls.length === 1);
    await t.other.cancel(t.ref, { identity: canceller });
    const second = await t.other.submit(t.ref, { text: 'B', source: 'test' });
    await t.clock.tick(1_000);
    expect(await running).toMatchObject({ kind: 'finished', text: 'Here is B.' });
    expect(t.calls).toHaveLength(2);
    expect(t.calls[1]!.request.messages.at(-1)).toMatchObject({ role: 'user', content: 'B' });
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual([
      'input',
      'cancel',
      'input',
      'run_finished',
      'model_response',
      'run_finished',
    ]);
    expect(finishedReasons(events)).toEqual(['cancelled', 'completed']);
    expect((await t.baton.answer(t.ref, first)).state).toBe('cancelled');
    expect(await t.baton.answer(t.ref, second)).toMatchObject({ state: 'finished', reply: 'Here is B.' });
  });
});

describe('cancel during a tool', () => {
  it('aborts an at-most-once tool in flight: intent kept, no second start, unknown outcome recorded', async () => {
    const t = cancelKit([callTools([{ name: 'charge', args: {}, callId: 'c1' }]), reply('never')]);
    await t.baton.submit(t.ref, ask);
    const running = t.baton.run(t.ref, { deadline: t.later() });
    await until(() => t.tools.charged === 1);
    await t.baton.cancel(t.ref, { identity: canceller });
    expect((await ticking(t.clock, running)).kind).toBe('cancelled');
    expect(t.tools).toMatchObject({ charged: 1, chargeAborted: 1 });
    expect(t.calls).toHaveLength(1);
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual([
      'input',
      'model_response',
      'tool_intent',
      'cancel',
      'tool_result',
      'run_finished',
    ]);
    expect(events[4]).toMatchObject({ callId: 'c1', outcome: 'unknown' });
    // A later run neither starts the tool again nor calls the model for the cancelled turn.
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('idle');
    expect(t.tools.charged).toBe(1);
  });
});

describe('cancel while waiting for approval', () => {
  it('rejects the waiting call and ends the run; the next input is answered with the rejection in its history', async () => {
    const t = cancelKit([callTools([{ name: 'send', args: {}, callId: 'c1' }]), reply('Not sent.')]);
    await t.baton.submit(t.ref, ask);
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('waiting_approval');
    const enqueued = t.queue.messages.length;
    expect(await t.baton.cancel(t.ref, { identity: canceller })).toMatchObject({ cancelled: true });
    expect(t.queue.messages.length).toBe(enqueued + 1);
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('cancelled');
    const session = await t.baton.session(t.ref);
    expect(session).toMatchObject({ status: 'idle', pendingApprovals: [] });
    const events = await t.store.readEvents(t.ref);
    expect(events.find((event) => event.kind === 'tool_result')).toMatchObject({ outcome: 'rejected' });
    await t.baton.submit(t.ref, { text: 'ok?', source: 'test' });
    expect(await t.baton.run(t.ref, { deadline: t.later() })).toMatchObject({
      kind: 'finished',
      text: 'Not sent.',
    });
    expect(t.calls[1]!.request.messages.some((message) => message.role === 'tool')).toBe(true);
    expect(t.tools.sent).toBe(0);
  });
});

describe('Baton.cancel', () => {
  it('records a cancel once: a repeated Idempotency-Key and a cancel the run has not read write nothing', async () => {
    const t = cancelKit([callTools([{ name: 'send', args: {}, callId: 'c1' }])]);
    await t.baton.submit(t.ref, ask);
    await t.baton.run(t.ref, { deadline: t.later() });
    t.reset();
    const first = await t.baton.cancel(t.ref, {
      identity: canceller,
      dedupeKey: 'http:k1',
      requestHash: 'h',
    });
    const again = await t.baton.cancel(t.ref, {
      identity: canceller,
      dedupeKey: 'http:k1',
      requestHash: 'h',
    });
    const keyless = await t.baton.cancel(t.ref, { identity: canceller });
    expect(again).toEqual({ cancelled: true, duplicate: true, seq: first.cancelled ? first.seq : -1 });
    expect(keyless).toMatchObject({ cancelled: true, duplicate: true });
    expect(t.reset().writes).toBe(1);
    await expect(
      t.baton.cancel(t.ref, { identity: canceller, dedupeKey: 'http:k1', requestHash: 'other' }),
    ).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    await t.baton.run(t.ref, { deadline: t.later() });
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events).filter((kind) => kind === 'cancel')).toHaveLength(1);
    expect(finishedReasons(events)).toEqual(['cancelled']);
  });

  it('answers a session with no run (idle) with cancelled: false and writes nothing', async () => {
    const t = cancelKit([reply('Hi.')]);
    await t.baton.submit(t.ref, ask);
    await t.baton.run(t.ref, { deadline: t.later() });
    t.reset();
    expect(await t.baton.cancel(t.ref, { identity: canceller })).toEqual({
      cancelled: false,
      status: 'idle',
    });
    expect(t.reset().writes).toBe(0);
  });

  it('refuses an unknown session (404) and a caller of another tenant (403) without writing', async () => {
    const t = cancelKit([reply('Hi.')]);
    await expect(t.baton.cancel(sessionRef('acme', 'nope'), { identity: canceller })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    await t.baton.submit(t.ref, ask);
    t.reset();
    const stranger = { ...canceller, tenant: 'globex' };
    const refused = await t.baton.cancel(t.ref, { identity: stranger }).catch((error: BatonError) => error);
    expect(refused).toMatchObject({ code: 'tenant_mismatch', status: 403 });
    expect(t.reset().writes).toBe(0);
  });
});

describe('cancel records', () => {
  it('stores the cancel event and the head pointer in the short form, and reads them back exactly', () => {
    const event = {
      v: 3,
      seq: 2,
      at: 1_767_225_600_000,
      kind: 'cancel',
      by: 'key:ops',
      via: 'api_key',
      reason: 'stop',
    } as SessionEvent;
    const [record] = eventRecords([event]);
    expect(record).toEqual({
      v: 3,
      s: 2,
      t: 1_767_225_600_000,
      k: 'ca',
      by: 'key:ops',
      via: 'api_key',
      reason: 'stop',
    });
    expect(parseEvents([record])).toEqual([event]);
    const head = parseHead({
      v: 3,
      t: 'acme',
      id: 's1',
      a: 'agent',
      n: 3,
      s: 2,
      st: 'running',
      li: 2,
      cq: 2,
      c: 1,
    });
    expect(head.cancelSeq).toBe(2);
    expect(headRecord(head)).toMatchObject({ cq: 2 });
    const { cancelSeq: _cancelSeq, ...uncancelled } = head;
    expect(headRecord(uncancelled)).not.toHaveProperty('cq');
  });
});
